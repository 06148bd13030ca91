/** Print a graph with each op's own description of its attributes. */
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { opDef } from './registry.js';

/** A graph as text, one node a line with its op, axes, sizes and inputs. */
export function print(graph: Graph): string {
  return printGraph(graph, (node) => {
    const describe = opDef(node.op).describe as ((attrs: unknown) => string) | undefined;
    return describe?.(node.attrs);
  });
}
