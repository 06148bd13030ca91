/**
 * Sharpening: making distributions peakier with a temperature T < 1.
 * - `sharpen(p, T, axis)`: of probabilities, p^(1/T) renormalised (PAWS);
 * - `temperedSoftmax(logits, T, axis)`: of logits, softmax(logits / T) (DINO's
 *   teacher, SwAV's and DINO's student predictions).
 */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { div, pow } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { sum } from '../ops/reduce.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import type { Probs } from './cross-entropy-soft.js';

function requireTemperature(where: string, t: number): void {
  if (!(t > 0) || !Number.isFinite(t)) throw new RangeError(`${where}: the temperature must be a positive finite number, got ${t}`);
}

/**
 * PAWS' sharpen: p^(1/T) / Σ_A p^(1/T) of distributions p along A. p must be a `Probs`
 * over the same axis: raw logits are refused (p^(1/T) of negative scores is no
 * distribution; `temperedSoftmax` sharpens logits).
 */
export function sharpen<S extends Shape, A extends S[number]>(p: Probs<S, A>, temperature: number, axis: NoInfer<A>): Probs<S, A> {
  requireTemperature('sharpen', temperature);
  const powered = pow(p as Tensor<S>, 1 / temperature);
  return div(powered, broadcastTo(sum(powered, axis), p.axes, p.sizes) as Tensor<S>) as Probs<S, A>;
}

/** softmax(logits / T) along `axis`; T may be a number or a scalar tensor (a scheduled temperature). */
export function temperedSoftmax<S extends Shape, A extends S[number]>(logits: Tensor<S>, temperature: number | Tensor<[]>, axis: A): Probs<S, NoInfer<A>> {
  return softmax(scaleDown(logits, temperature, 'temperedSoftmax'), axis) as Probs<S, A>;
}

/** logSoftmax(logits / T) along `axis`. */
export function temperedLogSoftmax<S extends Shape, A extends S[number]>(logits: Tensor<S>, temperature: number | Tensor<[]>, axis: A): Tensor<S> {
  return logSoftmax(scaleDown(logits, temperature, 'temperedLogSoftmax'), axis);
}

/** x / T (a division, as the reference code writes it, not a multiplication by 1/T). */
export function scaleDown<S extends Shape>(x: Tensor<S>, temperature: number | Tensor<[]>, where = 'temperature'): Tensor<S> {
  if (typeof temperature === 'number') {
    requireTemperature(where, temperature);
    return div(x, temperature);
  }
  return div(x, broadcastTo(temperature, x.axes, x.sizes) as Tensor<S>);
}
