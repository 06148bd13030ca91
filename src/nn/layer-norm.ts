/** LayerNorm over one axis with a learned scale and shift (PyTorch's nn.LayerNorm). */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { add, mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { layerNorm as normalize } from '../ops/normalization.js';
import { full } from '../ops/sources.js';
import { axisIndex } from '../ops/check.js';
import type { ApplyContext, Layer } from './layer.js';

/** LayerNorm's scale and shift. */
export interface LayerNormParams<C extends Axis> {
  readonly weight: Tensor<[C]>;
  readonly bias: Tensor<[C]>;
}

export interface NormLayer<C extends Axis, P> extends Layer<P, readonly Axis[], readonly Axis[]> {
  /** Fresh scale and shift (1 and 0) for the size of the normalised axis. */
  init(key: Key, sizes: Sizes): P;
  /** x normalised along the axis, then scaled and shifted. */
  apply<S extends Shape>(params: P, x: Tensor<S>, ctx?: ApplyContext): Tensor<S>;
}

/** Scale and shift along `axis`: x ⊙ weight + bias, both broadcast over the other axes. */
export function scaleShift<S extends Shape>(x: Tensor<S>, weight: Tensor, bias: Tensor): Tensor<S> {
  return add(mul(x, broadcastTo(weight, x.axes, x.sizes) as Tensor<S>), broadcastTo(bias, x.axes, x.sizes) as Tensor<S>);
}

/** nn.LayerNorm(C, eps): eps defaults to PyTorch's 1e-5 (XCiT uses 1e-6). */
export function layerNorm<const C extends Axis>(axis: C, eps = 1e-5): NormLayer<C, LayerNormParams<C>> {
  return {
    keyless: true,
    init: (_key, sizes) => ({ weight: full(1, [axis], sizes) as Tensor<[C]>, bias: full(0, [axis], sizes) as Tensor<[C]> }),
    apply<S extends Shape>(params: LayerNormParams<C>, x: Tensor<S>): Tensor<S> {
      axisIndex('layerNorm', x, axis);
      return scaleShift(normalize(x, axis as S[number], eps), params.weight, params.bias);
    },
  };
}
