/** Reductions over named axes: sum and max. The reduced axes disappear. */
import type { Shape, Without } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { forEachOffset, numelOf, stridesAlong, stridesOf } from '../runtime/ndarray.js';
import { apply, defineOp, type OutShape } from './define.js';
import { axisIndex, requireDistinctAxes } from './check.js';
import { broadcastTo } from './layout.js';
import { div, equal, mul } from './elementwise.js';

export interface ReduceAttrs {
  readonly [key: string]: readonly string[];
  readonly axes: readonly string[];
}

function reducedShape(op: string) {
  return ([x]: readonly Tensor[], attrs: ReduceAttrs): OutShape => {
    requireDistinctAxes(op, attrs.axes);
    attrs.axes.forEach((a) => axisIndex(op, x!, a));
    const keep = x!.axes.map((a, i) => [a, x!.sizes[i]!] as const).filter(([a]) => !attrs.axes.includes(a));
    return { axes: keep.map(([a]) => a), sizes: keep.map(([, n]) => n) };
  };
}

/** Fold every input element into its output slot, visiting inputs in row-major order. */
function reduceInto(x: { axes: readonly string[]; sizes: readonly number[]; data: Float64Array }, out: OutShape, init: number, fold: (acc: number, v: number) => number): Float64Array {
  const result = new Float64Array(numelOf(out.sizes)).fill(init);
  const outStrides = stridesAlong(out.axes, out.sizes, x.axes);
  forEachOffset(x.sizes, [stridesOf(x.sizes), outStrides], ([i, o]) => {
    result[o!] = fold(result[o!]!, x.data[i!]!);
  });
  return result;
}

export const sumOp = defineOp<ReduceAttrs>({
  name: 'sum',
  shape: reducedShape('sum'),
  evaluate: ([x], _, out) => reduceInto(x!, out, 0, (acc, v) => acc + v),
  vjp: (node, g) => {
    const x = node.inputs[0]!;
    return [broadcastTo(g, x.axes, x.sizes)];
  },
  describe: (a) => `axes=[${a.axes.join(' ')}]`,
});

/** Ties share the gradient equally (as JAX and PyTorch's amax do). */
export const maxOp = defineOp<ReduceAttrs>({
  name: 'max',
  shape: reducedShape('max'),
  evaluate: ([x], _, out) => reduceInto(x!, out, -Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc)),
  vjp: (node, g, attrs) => {
    const x = node.inputs[0]!;
    const hits = equal(x, broadcastTo(node, x.axes, x.sizes));
    const count = broadcastTo(sumAxes(hits, attrs.axes), x.axes, x.sizes);
    return [mul(broadcastTo(g, x.axes, x.sizes), div(hits, count))];
  },
  describe: (a) => `axes=[${a.axes.join(' ')}]`,
});

/** Untyped sum for rules that work on any shape. */
export function sumAxes(x: Tensor, axes: readonly string[]): Tensor {
  return axes.length === 0 ? x : apply<Shape, ReduceAttrs>(sumOp, [x], { axes });
}

function axesList(axes: string | readonly string[]): readonly string[] {
  return typeof axes === 'string' ? [axes] : axes;
}

/** Sum over the named axes (all axes when none are given). */
export function sum<S extends Shape, A extends S[number] = S[number]>(x: Tensor<S>, axes?: A | readonly A[]): Tensor<Without<S, A>> {
  return apply<Without<S, A>, ReduceAttrs>(sumOp, [x], { axes: axes === undefined ? x.axes : axesList(axes) });
}

/** Maximum over the named axes (all axes when none are given). */
export function max<S extends Shape, A extends S[number] = S[number]>(x: Tensor<S>, axes?: A | readonly A[]): Tensor<Without<S, A>> {
  if (axes !== undefined && axesList(axes).length === 0) return x as unknown as Tensor<Without<S, A>>;
  const list = axes === undefined ? x.axes : axesList(axes);
  list.forEach((a) => {
    if (x.sizes[x.axes.indexOf(a)] === 0) throw new ShapeError(`max: axis ${a} has size 0`, { op: 'max', axis: a });
  });
  return apply<Without<S, A>, ReduceAttrs>(maxOp, [x], { axes: list });
}

