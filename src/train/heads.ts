/**
 * The projection and prediction heads of SwAV and PAWS at a small width:
 * Linear → BatchNorm → ReLU → Linear, as the official heads (SwAV's
 * projection_head, PAWS' fc and pred). BatchNorm matters here beyond
 * fidelity: a randomly initialised tiny backbone gives nearly the same
 * features for every image, so without it every embedding starts almost
 * equal, snn's and Sinkhorn's inputs are flat and the first hundreds of
 * steps are spent leaving that state (measured on PAWS: loss ≈ 0 for ~100 steps).
 */
import type { Axis, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { relu } from '../ops/activations.js';
import { linear, type LinearParams } from '../nn/linear.js';
import { batchNorm, type BatchNormParams } from '../nn/batch-norm.js';
import { within, type ApplyContext } from '../nn/layer.js';

export interface HeadParams<I extends Axis, H extends Axis, O extends Axis> {
  readonly fc1: LinearParams<I, H>;
  readonly bn1: BatchNormParams<H>;
  readonly fc2: LinearParams<H, O>;
}

export interface Head<I extends Axis, H extends Axis, O extends Axis> {
  init(key: Key, sizes: Sizes): HeadParams<I, H, O>;
  /** [B, I] -> [B, O]; in training mode (ctx.training) BatchNorm emits its running statistics under ctx's path. */
  apply(params: HeadParams<I, H, O>, x: Tensor<['B', I]>, ctx?: ApplyContext): Tensor<['B', O]>;
}

export function bnHead<const I extends Axis, const H extends Axis, const O extends Axis>(inAxis: I, hiddenAxis: H, outAxis: O, std: number): Head<I, H, O> {
  const fc1 = linear(inAxis, hiddenAxis, { std });
  const bn1 = batchNorm(hiddenAxis);
  const fc2 = linear(hiddenAxis, outAxis, { std });
  return {
    init(key, sizes) {
      const [k1, k2] = split(key);
      return { fc1: fc1.init(k1!, sizes), bn1: bn1.init(key, sizes), fc2: fc2.init(k2!, sizes) } as HeadParams<I, H, O>;
    },
    apply(p, x, ctx) {
      const h = relu(bn1.apply(p.bn1, fc1.apply(p.fc1, x) as Tensor<['B', H]>, within(ctx, 'bn1')));
      return fc2.apply(p.fc2, h) as Tensor<['B', O]>;
    },
  };
}
