/**
 * Mean-entropy maximisation (PAWS' me-max): the entropy of the batch's
 * average prediction. It is largest (log C) when the predictions use every
 * class equally on average, so maximising it (adding its negative to the
 * loss) prevents collapse onto a few classes while each prediction stays
 * confident.
 *
 *   avg    = mean_batch p            [C]
 *   meMax  = H(avg) = -Σ_C avg·log avg
 *   penalty = -meMax = Σ_C avg·log avg        (what PAWS adds to its loss)
 */
import type { Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { neg } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { mean } from '../ops/statistics.js';
import { asProbs, xlogy, type Probs } from './cross-entropy-soft.js';
import { withAxes } from '../ops/with-axes.js';

/** The mean of the distributions over every axis but the class axis. */
export function averageDistribution<S extends Shape, A extends S[number]>(p: Probs<S, A>, classAxis: NoInfer<A>): Probs<[A], A> {
  const batchAxes = p.axes.filter((a) => a !== classAxis);
  if (batchAxes.length === p.axes.length) throw new ShapeError(`averageDistribution: [${p.axes.join(', ')}] has no class axis ${classAxis}`, { axis: classAxis });
  return asProbs(withAxes(mean(p as Tensor<S>, batchAxes as Exclude<S[number], A>[]), [classAxis]), classAxis);
}

/** H(mean_batch p): the quantity me-max maximises (largest, log C, at a uniform average). */
export function meMax<S extends Shape, A extends S[number]>(p: Probs<S, A>, classAxis: NoInfer<A>): Tensor<[]> {
  const avg = averageDistribution(p, classAxis) as Tensor<[A]>;
  return neg(sum(xlogy(avg, avg))) as Tensor<[]>;
}

/** Σ avg·log avg = -meMax: the regulariser PAWS adds to its loss (its `rloss`). */
export function meMaxPenalty<S extends Shape, A extends S[number]>(p: Probs<S, A>, classAxis: NoInfer<A>): Tensor<[]> {
  const avg = averageDistribution(p, classAxis) as Tensor<[A]>;
  return sum(xlogy(avg, avg)) as Tensor<[]>;
}
