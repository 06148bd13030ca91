/**
 * logSumExp, softmax and logSoftmax along one named axis, stabilised by the
 * maximum. The maximum is wrapped in stopGradient: the result does not depend
 * on it mathematically, and this keeps higher derivatives smooth (as JAX does).
 */
import type { Shape, Without } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { broadcastTo } from './layout.js';
import { add, div, exp, log, sub } from './elementwise.js';
import { max, sum } from './reduce.js';
import { stopGradient } from './identity.js';

/** log Σ e^x along an axis, computed stably (the maximum subtracted first); the axis is removed. */
export function logSumExp<S extends Shape, A extends S[number]>(x: Tensor<S>, axis: A): Tensor<Without<S, A>> {
  const m = stopGradient(max(x, axis));
  const shifted = sub(x, broadcastTo(m, x.axes, x.sizes) as Tensor<S>);
  return add(m, log(sum(exp(shifted), axis)));
}

/** softmax along an axis: e^x / Σ e^x, computed stably. */
export function softmax<S extends Shape>(x: Tensor<S>, axis: S[number]): Tensor<S> {
  const m = stopGradient(max(x, axis));
  const e = exp(sub(x, broadcastTo(m, x.axes, x.sizes) as Tensor<S>));
  return div(e, broadcastTo(sum(e, axis), x.axes, x.sizes) as Tensor<S>);
}

/** log softmax along an axis, computed stably (x - logSumExp). */
export function logSoftmax<S extends Shape>(x: Tensor<S>, axis: S[number]): Tensor<S> {
  return sub(x, broadcastTo(logSumExp(x, axis), x.axes, x.sizes) as Tensor<S>);
}
