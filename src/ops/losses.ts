/** Cross-entropy with hard (integer) or soft (distribution) targets. */
import type { Shape, Without } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { mul, neg } from './elementwise.js';
import { sum } from './reduce.js';
import { oneHot } from './gather.js';
import { logSoftmax } from './softmax.js';
import { mean } from './statistics.js';
import { transposeTo } from './layout.js';
import { labelOf } from './check.js';

/** How a loss reduces its per-item values: their mean, their sum, or none (per item). */
export type Reduction = 'mean' | 'sum' | 'none';

type Reduced<S extends Shape, A extends S[number], R extends Reduction> = R extends 'none' ? Tensor<Without<S, A>> : Tensor<[]>;

/**
 * Cross-entropy of logits along `classAxis` against either class indices (a
 * tensor with every other axis of the logits) or a distribution (the logits'
 * axes). Reduced by mean over the remaining axes unless told otherwise.
 */
export function crossEntropy<S extends Shape, A extends S[number], R extends Reduction = 'mean'>(
  logits: Tensor<S>,
  target: Tensor<S> | Tensor<Without<S, A>>,
  classAxis: A,
  reduction: R = 'mean' as R,
): Reduced<S, A, R> {
  const rest = logits.axes.filter((a) => a !== classAxis);
  const hard = target.rank === rest.length && target.axes.every((a, i) => a === rest[i]);
  const soft = target.rank === logits.rank && target.axes.every((a, i) => a === logits.axes[i]);
  if (!hard && !soft) {
    throw new ShapeError(
      `crossEntropy: target ${labelOf(target)} must have the logits' axes [${logits.axes.join(', ')}] (soft) or [${rest.join(', ')}] (class indices)`,
      { op: 'crossEntropy' },
    );
  }
  const k = logits.sizes[logits.axes.indexOf(classAxis)]!;
  const probs = hard ? (transposeTo(oneHot(target as Tensor, classAxis, k), logits.axes) as Tensor<S>) : (target as Tensor<S>);
  const perItem = neg(sum(mul(probs, logSoftmax(logits, classAxis)), classAxis as A));
  if (reduction === 'none') return perItem as Reduced<S, A, R>;
  return (reduction === 'sum' ? sum(perItem) : mean(perItem)) as unknown as Reduced<S, A, R>;
}
