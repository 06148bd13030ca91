/**
 * BatchNorm over every axis but the channel axis (PyTorch's BatchNorm1d/2d).
 * Evaluation uses the running statistics; training normalises with the batch
 * statistics and emits the updated running statistics (PyTorch's unbiased
 * running variance, momentum 0.1) as state: runLayer returns them and
 * `withUpdates` folds them back into the parameters.
 */
import type { Axis, Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { stopGradient } from '../ops/identity.js';
import { mean, variance } from '../ops/statistics.js';
import { full } from '../ops/sources.js';
import { axisIndex } from '../ops/check.js';
import { pathOf, type ApplyContext } from './layer.js';
import { scaleShift, type NormLayer } from './layer-norm.js';

/** BatchNorm's scale and shift, and its running statistics (buffers). */
export interface BatchNormParams<C extends Axis> {
  readonly weight: Tensor<[C]>;
  readonly bias: Tensor<[C]>;
  readonly running_mean: Tensor<[C]>;
  readonly running_var: Tensor<[C]>;
  readonly num_batches_tracked: Tensor<[]>;
}

/** Whether a dotted parameter path names BatchNorm state (a buffer, not a trainable parameter). */
export function isBufferPath(path: string): boolean {
  return /(^|\.)(running_mean|running_var|num_batches_tracked)$/.test(path);
}

/** BatchNorm's ε and momentum (PyTorch's defaults 1e-5 and 0.1). */
export interface BatchNormOptions {
  readonly eps?: number;
  readonly momentum?: number;
}

/** BatchNorm over a channel axis: batch statistics in training mode (the running mean and variance are emitted as state), running statistics in evaluation mode. */
export function batchNorm<const C extends Axis>(axis: C, options: BatchNormOptions = {}): NormLayer<C, BatchNormParams<C>> {
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  return {
    keyless: true,
    init: (_key, sizes) => ({
      weight: full(1, [axis], sizes) as Tensor<[C]>,
      bias: full(0, [axis], sizes) as Tensor<[C]>,
      running_mean: full(0, [axis], sizes) as Tensor<[C]>,
      running_var: full(1, [axis], sizes) as Tensor<[C]>,
      num_batches_tracked: full(0, [], []) as Tensor<[]>,
    }),
    apply<S extends Shape>(p: BatchNormParams<C>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S> {
      axisIndex('batchNorm', x, axis);
      const others = x.axes.filter((a) => a !== axis);
      const like = (t: Tensor) => broadcastTo(t, x.axes, x.sizes) as Tensor<S>;
      // sqrt on the [C] statistics, then broadcast: the same values, C square roots instead of one per element.
      const normalise = (mu: Tensor, v: Tensor) => div(sub(x, like(mu)), like(sqrt(add(v as Tensor<string[]>, eps))));
      if (!ctx?.training) {
        return scaleShift(normalise(stopGradient(p.running_mean), stopGradient(p.running_var)), p.weight, p.bias);
      }
      const n = others.reduce((k, a) => k * x.sizes[x.axes.indexOf(a)]!, 1);
      if (n < 2) throw new ShapeError(`batchNorm at ${pathOf(ctx) || '(root)'}: training needs more than one value per channel, got ${n}`, { op: 'batchNorm', axis });
      const mu = mean(x, others as S[number][]) as Tensor;
      const v = variance(x, others as S[number][]) as Tensor;
      const unbiased = mul(stopGradient(v) as Tensor<string[]>, n / (n - 1));
      const blend = (old: Tensor, batch: Tensor) => add(mul(stopGradient(old) as Tensor<string[]>, 1 - momentum), mul(batch as Tensor<string[]>, momentum));
      ctx.emit(pathOf(ctx, 'running_mean'), blend(p.running_mean, stopGradient(mu)));
      ctx.emit(pathOf(ctx, 'running_var'), blend(p.running_var, unbiased));
      ctx.emit(pathOf(ctx, 'num_batches_tracked'), add(stopGradient(p.num_batches_tracked), 1));
      return scaleShift(normalise(mu, v), p.weight, p.bias);
    },
  };
}
