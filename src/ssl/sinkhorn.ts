/**
 * SwAV's Sinkhorn-Knopp (distributed_sinkhorn at world size 1): soft codes
 * that spread a batch evenly over the prototypes. Computed under stopGradient:
 * no gradient flows through the codes.
 *
 *   Q = exp(scores / ε);  Q /= ΣQ                      (no max-subtraction, as the reference)
 *   repeat n times:
 *     Q[k, ·] /= Σ_b Q[k, b];  Q /= K                   (each prototype gets mass 1/K)
 *     Q[·, b] /= Σ_k Q[k, b];  Q /= B                   (each sample gets mass 1/B)
 *   codes = B·Q                                          (each sample's row sums to 1)
 *
 * The layout of `scores` is kept: the prototype axis is named, the other axis
 * holds the samples. Without max-subtraction, exp overflows when scores/ε
 * exceeds ~709 (SwAV's scores are cosines, so ε ≥ 0.0015 is safe).
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { div, exp, mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { sum } from '../ops/reduce.js';
import { detach, type Detached, type Probs } from './cross-entropy-soft.js';

/** Sinkhorn-Knopp's iterations and ε. */
export interface SinkhornOptions {
  /** Number of row-and-column normalisation rounds (SwAV: 3). */
  readonly iterations: number;
  /** Entropic regularisation ε (SwAV: 0.05). */
  readonly epsilon: number;
}

/** SwAV's codes for `scores` (samples × prototypes, in either order): rows of samples sum to 1. */
export function sinkhorn<R extends Axis, C extends Axis, K extends R | C>(scores: Tensor<[R, C]>, prototypeAxis: K, options: SinkhornOptions): Detached<Probs<[R, C], NoInfer<K>>> {
  const { iterations, epsilon } = options;
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`sinkhorn: iterations must be a non-negative integer, got ${iterations}`);
  if (!(epsilon > 0)) throw new RangeError(`sinkhorn: epsilon must be positive, got ${epsilon}`);
  if (scores.rank !== 2 || !scores.axes.includes(prototypeAxis)) {
    throw new ShapeError(`sinkhorn: scores must have two axes, one of them the prototype axis ${prototypeAxis}; got [${scores.axes.join(', ')}]`, { op: 'sinkhorn', axis: prototypeAxis });
  }
  type M = Tensor<[R, C]>;
  const sampleAxis = scores.axes.find((a) => a !== prototypeAxis)! as R | C;
  const k = scores.size(prototypeAxis);
  const b = scores.size(sampleAxis);
  const like = (t: Tensor): M => broadcastTo(t, scores.axes, scores.sizes) as M;
  let q: M = exp(div(detach(scores) as M, epsilon));
  q = div(q, like(sum(q)));
  for (let it = 0; it < iterations; it++) {
    q = div(q, like(sum(q, sampleAxis)));
    q = div(q, k);
    q = div(q, like(sum(q, prototypeAxis)));
    q = div(q, b);
  }
  return detach(mul(q, b)) as Detached<Probs<[R, C], K>>;
}
