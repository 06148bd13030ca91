/**
 * Indexing by integer-valued tensors: gather (take along an axis), its
 * gradient scatterAdd, and oneHot. Indices are float64 holding integers;
 * one outside [0, size) is an error that names it.
 */
import type { ReplaceAxis, Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { numelOf } from '../runtime/ndarray.js';
import { apply, defineOp, noGradient } from './define.js';
import { axisIndex, labelOf, requireDistinctAxes } from './check.js';
import { reshape } from './layout.js';

export interface GatherAttrs {
  readonly [key: string]: string | number;
  readonly axis: string;
  /** scatterAdd only: the size of the restored axis. */
  readonly size: number;
}

function checkIndex(op: string, value: number, size: number, axis: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new RangeError(`${op}: index ${value} is outside [0, ${size}) for axis ${axis}`);
  }
  return value;
}

/**
 * Row-major offsets of the three blocks around a replaced axis:
 * outer (axes before), the index block, inner (axes after).
 */
function blocks(sizes: readonly number[], d: number, width: number) {
  return { outer: numelOf(sizes.slice(0, d)), inner: numelOf(sizes.slice(d + width)) };
}

export const gatherOp = defineOp<GatherAttrs>({
  name: 'gather',
  shape: ([x, idx], a) => {
    const d = axisIndex('gather', x!, a.axis);
    const axes = [...x!.axes.slice(0, d), ...idx!.axes, ...x!.axes.slice(d + 1)];
    requireDistinctAxes('gather', axes);
    return { axes, sizes: [...x!.sizes.slice(0, d), ...idx!.sizes, ...x!.sizes.slice(d + 1)] };
  },
  evaluate: ([x, idx], a) => {
    const d = x!.axes.indexOf(a.axis);
    const n = x!.sizes[d]!;
    const { outer, inner } = blocks(x!.sizes, d, 1);
    const k = idx!.data.length;
    const out = new Float64Array(outer * k * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        const src = checkIndex('gather', idx!.data[j]!, n, a.axis);
        out.set(x!.data.subarray((o * n + src) * inner, (o * n + src + 1) * inner), (o * k + j) * inner);
      }
    }
    return out;
  },
  vjp: (node, g, a) => {
    const [x, idx] = node.inputs as [Tensor, Tensor];
    if (idx.rank === 0) {
      // A scalar index drops the axis; scatterAdd needs index axes, so restore it as a unit axis of g and idx.
      const d = x.axes.indexOf(a.axis);
      const g1 = reshape(g, [...g.axes.slice(0, d), a.axis, ...g.axes.slice(d)], [...g.sizes.slice(0, d), 1, ...g.sizes.slice(d)]);
      return [scatterAdd(g1, reshape(idx, [a.axis], [1]), a.axis, x.size(a.axis)), undefined];
    }
    return [scatterAdd(g, idx, a.axis, x.size(a.axis)), undefined];
  },
  describe: (a) => `axis=${a.axis}`,
});

/** x with `axis` replaced by the axes of `indices`: out[.., i.., ..] = x[.., indices[i..], ..]. */
export function gather<S extends Shape, A extends S[number], I extends Shape>(x: Tensor<S>, axis: A, indices: Tensor<I>): Tensor<ReplaceAxis<S, A, I>> {
  return apply(gatherOp, [x, indices], { axis, size: 0 });
}

export const scatterAddOp = defineOp<GatherAttrs>({
  name: 'scatterAdd',
  shape: ([u, idx], a) => {
    const start = u!.axes.indexOf(idx!.axes[0] ?? '');
    const contiguous = idx!.rank > 0 && start >= 0 && idx!.axes.every((l, i) => u!.axes[start + i] === l && u!.sizes[start + i] === idx!.sizes[i]);
    if (!contiguous) throw new ShapeError(`scatterAdd: the index axes [${idx!.axes.join(', ')}] must appear together, with the same sizes, in ${labelOf(u!)}`, { op: 'scatterAdd' });
    const axes = [...u!.axes.slice(0, start), a.axis, ...u!.axes.slice(start + idx!.rank)];
    requireDistinctAxes('scatterAdd', axes);
    return { axes, sizes: [...u!.sizes.slice(0, start), a.size, ...u!.sizes.slice(start + idx!.rank)] };
  },
  evaluate: ([u, idx], a, out) => {
    const d = out.axes.indexOf(a.axis);
    const { outer, inner } = blocks(out.sizes, d, 1);
    const k = idx!.data.length;
    const result = new Float64Array(numelOf(out.sizes));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        const dst = checkIndex('scatterAdd', idx!.data[j]!, a.size, a.axis);
        const from = (o * k + j) * inner;
        const to = (o * a.size + dst) * inner;
        for (let i = 0; i < inner; i++) result[to + i] = result[to + i]! + u!.data[from + i]!;
      }
    }
    return result;
  },
  vjp: (node, g, a) => [gather(g, a.axis as never, node.inputs[1]!) as Tensor, undefined],
  describe: (a) => `axis=${a.axis} size=${a.size}`,
});

/** The transpose of gather: adds each slice of u into row indices[i] of a new axis of the given size. */
export function scatterAdd<S extends Shape>(u: Tensor, indices: Tensor, axis: string, size: number): Tensor<S> {
  return apply<S, GatherAttrs>(scatterAddOp, [u, indices], { axis, size });
}

export const oneHotOp = defineOp<GatherAttrs>({
  name: 'oneHot',
  shape: ([idx], a) => {
    const axes = [...idx!.axes, a.axis];
    requireDistinctAxes('oneHot', axes);
    return { axes, sizes: [...idx!.sizes, a.size] };
  },
  evaluate: ([idx], a) => {
    const out = new Float64Array(idx!.data.length * a.size);
    idx!.data.forEach((v, i) => {
      out[i * a.size + checkIndex('oneHot', v, a.size, a.axis)] = 1;
    });
    return out;
  },
  vjp: noGradient,
  describe: (a) => `axis=${a.axis} size=${a.size}`,
});

/** A new last axis of the given size, 1 at each index and 0 elsewhere. */
export function oneHot<S extends Shape, const A extends string>(indices: Tensor<S>, axis: A, size: number): Tensor<[...S, A]> {
  return apply(oneHotOp, [indices], { axis, size });
}

