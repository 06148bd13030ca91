/** The graph passes every backend compiles from: simplification, then dead-code removal, then common subexpressions. */
import type { Graph } from '../ir/graph.js';
import { cse, dce } from '../ir/passes.js';
import { simplify } from './simplify.js';

/** The optimised graph a program compiles from. */
export function optimise(graph: Graph): Graph {
  return cse(dce(simplify(graph)));
}
