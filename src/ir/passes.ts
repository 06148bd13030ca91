/**
 * Graph-to-graph passes that need no op knowledge: DCE and CSE. Both are pure:
 * they return a new Graph and leave the old one as it was.
 */
import { Tensor } from './tensor.js';
import { graphWithNodes, topoSort, type Graph } from './graph.js';
import { nodeKey } from './hash.js';

/** Dead-code elimination: keep the inputs and what the outputs need. */
export function dce(graph: Graph): Graph {
  const live = new Set(topoSort(graph.outputs));
  return graphWithNodes(graph.inputs, graph.outputs, graph.nodes.filter((n) => live.has(n)));
}

/**
 * Common-subexpression elimination: structurally equal nodes (same op,
 * attributes and inputs) become one. Formal inputs are never merged.
 */
export function cse(graph: Graph): Graph {
  const formal = new Set(graph.inputs);
  const canonical = new Map<Tensor, Tensor>();
  const byKey = new Map<string, Tensor>();
  const ids = new Map<Tensor, number>();
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((x) => canonical.get(x)!);
    const key = formal.has(node) ? `input#${ids.size}` : nodeKey(node, inputs.map((x) => ids.get(x)!));
    let chosen = byKey.get(key);
    if (chosen === undefined) {
      const changed = inputs.some((x, i) => x !== node.inputs[i]);
      chosen = changed ? new Tensor(node.op, node.attrs, inputs, node.axes, node.sizes) : node;
      byKey.set(key, chosen);
      ids.set(chosen, ids.size);
    }
    canonical.set(node, chosen);
  }
  const map = (xs: readonly Tensor[]) => xs.map((x) => canonical.get(x)!);
  return graphWithNodes(map(graph.inputs), map(graph.outputs), [...new Set(map(graph.nodes))]);
}
