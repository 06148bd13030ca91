/**
 * simplify: Graph -> Graph rewrites that make kernels smaller without
 * changing values: identity and stopGradient become their input (gradients
 * are already built), and a reshape of a reshape becomes one reshape.
 */
import { Tensor } from '../ir/tensor.js';
import { graphWithNodes, type Graph } from '../ir/graph.js';

/** The graph with identity and stopGradient nodes replaced by their input (gradients are taken before compiling, so they change no value). */
export function simplify(graph: Graph): Graph {
  const replaced = new Map<Tensor, Tensor>();
  const get = (t: Tensor) => replaced.get(t) ?? t;
  const formal = new Set(graph.inputs);
  for (const node of graph.nodes) {
    if (formal.has(node)) continue;
    const inputs = node.inputs.map(get);
    let out: Tensor;
    if (node.op === 'identity' || node.op === 'stopGradient') {
      out = inputs[0]!;
    } else if (node.op === 'reshape' && inputs[0]!.op === 'reshape') {
      const source = inputs[0]!.inputs[0]!;
      out = new Tensor('reshape', node.attrs, [source], node.axes, node.sizes);
    } else if (inputs.some((x, i) => x !== node.inputs[i])) {
      out = new Tensor(node.op, node.attrs, inputs, node.axes, node.sizes);
    } else {
      out = node;
    }
    if (out !== node) replaced.set(node, out);
  }
  const outputs = graph.outputs.map(get);
  return graphWithNodes(graph.inputs, outputs, graph.nodes.map(get));
}
