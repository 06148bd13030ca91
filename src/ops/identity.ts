/** Identity and stopGradient: the same value, different gradients. */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { apply, defineOp, noGradient } from './define.js';

type NoAttrs = Record<string, never>;

export const identityOp = defineOp<NoAttrs>({
  name: 'identity',
  shape: ([x]) => ({ axes: x!.axes, sizes: x!.sizes }),
  evaluate: ([x]) => x!.data,
  vjp: (_, g) => [g],
});

/** A fresh node with x's value (autodiff uses it to mark what it differentiates with respect to). */
export function identity<S extends Shape>(x: Tensor<S>): Tensor<S> {
  return apply<S, NoAttrs>(identityOp, [x], {});
}

export const stopGradientOp = defineOp<NoAttrs>({
  name: 'stopGradient',
  shape: ([x]) => ({ axes: x!.axes, sizes: x!.sizes }),
  evaluate: ([x]) => x!.data,
  vjp: noGradient,
});

/** x's value, through which no gradient flows (teacher outputs, Sinkhorn codes, centers). */
export function stopGradient<S extends Shape>(x: Tensor<S>): Tensor<S> {
  return apply<S, NoAttrs>(stopGradientOp, [x], {});
}
