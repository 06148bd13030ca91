/**
 * Reverse-mode autodiff as a graph transform: given output nodes and their
 * cotangents, build the nodes of the cotangents of `wrt`. Every VJP rule is
 * written with ops, so the result is an ordinary graph: it can be printed,
 * optimised, compiled, and differentiated again.
 */
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { topoSort } from '../ir/graph.js';
import { opDef } from '../ops/registry.js';
import { addAll } from '../ops/slicing.js';
import { zerosLike } from '../ops/sources.js';

const sameShape = (a: Tensor, b: Tensor) => a.rank === b.rank && a.axes.every((x, i) => x === b.axes[i] && a.sizes[i] === b.sizes[i]);

/** Reverse-mode accumulation: the gradients of `outputs` (seeded with `cotangents`) with respect to each of `wrt`, as new graph tensors (zeros where no path leads). */
export function backprop(outputs: readonly Tensor[], cotangents: readonly Tensor[], wrt: readonly Tensor[]): Tensor[] {
  const order = topoSort(outputs);
  const targets = new Set(wrt);
  // Only nodes that depend on some target carry a cotangent worth computing.
  const relevant = new Set<Tensor>();
  for (const node of order) {
    if (targets.has(node) || node.inputs.some((x) => relevant.has(x))) relevant.add(node);
  }
  const pending = new Map<Tensor, Tensor[]>();
  const push = (node: Tensor, ct: Tensor) => {
    const list = pending.get(node);
    if (list) list.push(ct);
    else pending.set(node, [ct]);
  };
  outputs.forEach((o, i) => {
    const ct = cotangents[i]!;
    if (!sameShape(o, ct)) throw new ShapeError(`backprop: cotangent ${i} has axes [${ct.axes.join(', ')}] sizes [${ct.sizes.join(', ')}] but the output has [${o.axes.join(', ')}] sizes [${o.sizes.join(', ')}]`);
    if (relevant.has(o)) push(o, ct);
  });
  const total = new Map<Tensor, Tensor>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const parts = pending.get(node);
    if (!parts || !relevant.has(node)) continue;
    const ct = addAll(parts);
    total.set(node, ct);
    if (targets.has(node)) continue;
    const inputCts = opDef(node.op).vjp(node, ct, node.attrs as never);
    node.inputs.forEach((x, i) => {
      const cti = inputCts[i];
      if (cti === undefined || !relevant.has(x)) return;
      if (!sameShape(x, cti)) {
        throw new Error(`internal: the VJP of ${node.op} returned [${cti.axes.join(', ')}]/[${cti.sizes.join(', ')}] for input ${i} of shape [${x.axes.join(', ')}]/[${x.sizes.join(', ')}]`);
      }
      push(x, cti);
    });
  }
  return wrt.map((w) => total.get(w) ?? zerosLike(w));
}
