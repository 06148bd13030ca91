/**
 * Swapped prediction (SwAV): the code of one view is predicted from the
 * prototype scores of every other view.
 *
 *   loss = mean_i [ Σ_{v ≠ c_i} H(q_i, softmax(scores_v / τ)) / (V - 1) ]
 *
 * with q_i the (detached) codes of the i-th assignment view c_i, V the number
 * of views and H the soft cross-entropy averaged over the batch. The sums are
 * accumulated in the reference's order (subloss -= mean Σ q·log p, which is
 * subloss += H exactly; loss += subloss/(V-1); loss /= n).
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div } from '../ops/elementwise.js';
import { scalar } from '../ops/sources.js';
import { softCrossEntropy, type Detached, type Differentiable, type Probs } from './cross-entropy-soft.js';
import { crossViewPairs } from './multi-crop.js';
import { scaleDown } from './sharpen.js';

/** The codes of one assignment view. */
export interface ViewCodes<B extends Axis, K extends Axis> {
  /** The view the codes were computed from. */
  readonly view: number;
  readonly codes: Detached<Probs<[B, K], K>>;
}

/** SwAV's swapped prediction: every view's scores predict the codes of each other assignment view; the mean cross-entropy. */
export function swappedPrediction<B extends Axis, K extends Axis>(
  codes: readonly ViewCodes<B, K>[],
  scores: readonly Differentiable<Tensor<[B, K]>>[],
  prototypeAxis: K,
  temperature: number,
): Tensor<[]> {
  const views = scores.length;
  if (codes.length === 0) throw new ShapeError('swappedPrediction: needs the codes of at least one view');
  if (views < 2) throw new ShapeError(`swappedPrediction: needs at least two views, got ${views}`);
  const pairs = crossViewPairs({ views, targetViews: codes.map((c) => c.view) });
  let loss: Tensor<[]> = scalar(0);
  codes.forEach((c, i) => {
    let subloss: Tensor<[]> = scalar(0);
    for (const p of pairs.filter((p) => p.target === i)) {
      const logits = scaleDown(scores[p.view]!, temperature, 'swappedPrediction');
      subloss = add(subloss, softCrossEntropy(c.codes, logits, prototypeAxis));
    }
    loss = add(loss, div(subloss, views - 1));
  });
  return div(loss, codes.length);
}
