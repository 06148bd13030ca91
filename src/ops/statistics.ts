/** mean and variance over named axes, as compositions of sum. */
import type { Shape, Without } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { ShapeError, describeShape } from '../shape/errors.js';
import { broadcastTo } from './layout.js';
import { div, mul, sub } from './elementwise.js';
import { sum, sumAxes } from './reduce.js';

type AxesOf<S extends Shape, A extends S[number]> = A | readonly A[];

function axesList(x: Tensor, axes: string | readonly string[] | undefined): readonly string[] {
  return axes === undefined ? x.axes : typeof axes === 'string' ? [axes] : axes;
}

function countOver(x: Tensor, axes: readonly string[]): number {
  return axes.reduce((n, a) => n * x.sizes[x.axes.indexOf(a)]!, 1);
}

/** Mean over the named axes (all axes when none are given). */
export function mean<S extends Shape, A extends S[number] = S[number]>(x: Tensor<S>, axes?: AxesOf<S, A>): Tensor<Without<S, A>> {
  const list = axesList(x, axes);
  const n = countOver(x, list);
  if (n === 0) throw new ShapeError(`mean over ${list.join(', ') || 'no axes'} of ${describeShape(x.axes, x.sizes)}: there are no elements to average (it would be NaN)`, { op: 'mean', sizes: x.sizes });
  return div(sum(x, list as A[]), n);
}

/** variance's correction: unbiased (divided by n - 1) or not. */
export interface VarianceOptions {
  /** Divide by n - 1 (Bessel's correction) instead of n; PyTorch's unbiased flag. */
  readonly unbiased?: boolean;
}

/** Variance over the named axes: biased (divide by n) unless unbiased is set. */
export function variance<S extends Shape, A extends S[number] = S[number]>(x: Tensor<S>, axes?: AxesOf<S, A>, options: VarianceOptions = {}): Tensor<Without<S, A>> {
  const list = axesList(x, axes);
  const n = countOver(x, list);
  const centered = sub(x, broadcastTo(mean(x, list as A[]), x.axes, x.sizes) as Tensor<S>);
  return div(sumAxes(mul(centered, centered), list) as Tensor<Without<S, A>>, options.unbiased ? n - 1 : n);
}
