/** Activations as parameter-free layers. */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { gelu as geluOp, relu as reluOp } from '../ops/activations.js';
import type { ApplyContext, Layer } from './layer.js';

export interface ActivationLayer extends Layer<Record<string, never>, readonly string[], readonly string[]> {
  /** No parameters. */
  init(key: Key): Record<string, never>;
  /** The activation, elementwise. */
  apply<S extends Shape>(params: Record<string, never>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S>;
}

function activation(f: <S extends Shape>(x: Tensor<S>) => Tensor<S>): ActivationLayer {
  return { keyless: true, init: () => ({}), apply: (_, x) => f(x) };
}

/** Exact (erf) GELU, PyTorch's nn.GELU() default. */
export const gelu = (): ActivationLayer => activation(geluOp);
/** The ReLU activation as a layer with no parameters. */
export const relu = (): ActivationLayer => activation(reluOp);
