/**
 * Dropout and drop-path (stochastic depth) with explicit keys: identity in
 * evaluation, and in training they need ctx.key (a clear error otherwise).
 */
import type { Axis, Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { div, less, mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { uniform } from '../ops/random.js';
import { axisIndex } from '../ops/check.js';
import { requireKey, type ApplyContext } from './layer.js';
import type { ActivationLayer } from './activation.js';

function checkRate(what: string, rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new ShapeError(`${what}: rate ${rate} must be in [0, 1)`);
}

/** Zero each element with probability `rate` and scale the rest by 1/(1-rate). */
export function dropout(rate: number): ActivationLayer {
  checkRate('dropout', rate);
  return {
    keyless: true,
    init: () => ({}),
    apply<S extends Shape>(_: Record<string, never>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S> {
      if (!ctx?.training || rate === 0) return x;
      const keep = less(uniform(requireKey(ctx, 'dropout'), [...x.axes], x.sizes) as unknown as Tensor<S>, 1 - rate);
      return div(mul(x, keep), 1 - rate);
    },
  };
}

/** Zero whole samples (along the batch axis) with probability `rate`; residual branches use it. */
export function dropPath(rate: number, batchAxis: Axis = 'B'): ActivationLayer {
  checkRate('dropPath', rate);
  return {
    keyless: true,
    init: () => ({}),
    apply<S extends Shape>(_: Record<string, never>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S> {
      if (!ctx?.training || rate === 0) return x;
      const b = x.sizes[axisIndex('dropPath', x, batchAxis)]!;
      const keep = less(uniform(requireKey(ctx, 'dropPath'), [batchAxis], [b]), 1 - rate);
      return div(mul(x, broadcastTo(keep, x.axes, x.sizes) as Tensor<S>), 1 - rate);
    },
  };
}
