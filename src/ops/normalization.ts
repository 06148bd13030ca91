/** Normalisations along one named axis (the affine parts live in nn). */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { broadcastTo } from './layout.js';
import { add, div, maximum, mul, sqrt, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { mean, variance } from './statistics.js';

/** (x - mean) / sqrt(var + eps) along `axis`, with the biased variance (as PyTorch's LayerNorm). */
export function layerNorm<S extends Shape>(x: Tensor<S>, axis: S[number], eps = 1e-5): Tensor<S> {
  const like = (t: Tensor) => broadcastTo(t, x.axes, x.sizes) as Tensor<S>;
  const centered = sub(x, like(mean(x, axis)));
  return div(centered, like(sqrt(add(variance(x, axis), eps))));
}

/** x / max(‖x‖₂, eps) along `axis` (PyTorch's F.normalize, eps 1e-12). */
export function l2Normalize<S extends Shape>(x: Tensor<S>, axis: S[number], eps = 1e-12): Tensor<S> {
  const norm = sqrt(sum(mul(x, x), axis));
  return div(x, broadcastTo(maximum(norm, eps), x.axes, x.sizes) as Tensor<S>);
}
