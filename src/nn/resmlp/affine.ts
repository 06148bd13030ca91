/** ResMLP's Affine: a per-channel scale and shift, y = alpha ⊙ x + beta (it replaces LayerNorm). */
import type { Axis, Shape, Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Key } from '../../runtime/prng.js';
import { full } from '../../ops/sources.js';
import { axisIndex } from '../../ops/check.js';
import { scaleShift, type NormLayer } from '../layer-norm.js';

/** Affine's per-channel scale and shift. */
export interface AffineParams<C extends Axis> {
  readonly alpha: Tensor<[C]>;
  readonly beta: Tensor<[C]>;
}

/** ResMLP's Affine: a per-channel scale and shift along axis C (initialised to 1 and 0). */
export function affine<const C extends Axis>(axis: C): NormLayer<C, AffineParams<C>> {
  return {
    keyless: true,
    init: (_key: Key, sizes: Sizes) => ({ alpha: full(1, [axis], sizes) as Tensor<[C]>, beta: full(0, [axis], sizes) as Tensor<[C]> }),
    apply<S extends Shape>(p: AffineParams<C>, x: Tensor<S>): Tensor<S> {
      axisIndex('affine', x, axis);
      return scaleShift(x, p.alpha, p.beta);
    },
  };
}
