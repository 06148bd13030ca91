/**
 * Distributions, detached targets, and the cross-entropy between them.
 *
 * Phantom types let the type checker tell what a tensor *is*, at no run-time cost:
 * - `Probs<S, A>`: a tensor whose slices along axis A are probability vectors
 *   (what softmax, sharpening, Sinkhorn, snn and label matrices return);
 * - `Detached<T>`: a tensor through which no gradient flows (teacher outputs,
 *   Sinkhorn codes, centers). Only `detach` (stopGradient) makes one;
 * - `Differentiable<T>`: any tensor *but* a Detached one: what a loss needs
 *   where the gradient must flow (its logits, its predictions).
 * A plain Tensor is not a Probs and not Detached: the objectives that require
 * targets to be distributions (or targets to be detached) say so in their
 * signatures, and a wrong program does not compile. Gradient roles: every
 * target position of a loss takes a `Detached` value, every prediction
 * position a `Differentiable` one, so student and teacher cannot be swapped
 * and a detached (gradient-free) tensor cannot be trained against.
 */
import type { Axis, Shape, Without } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { equal, log, mul, neg, select } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { mean } from '../ops/statistics.js';
import { logSoftmax } from '../ops/softmax.js';
import { stopGradient } from '../ops/identity.js';
import type { Reduction } from '../ops/losses.js';
import { withAxes } from '../ops/with-axes.js';

declare const distributionAlong: unique symbol;
declare const noGradient: unique symbol;

/** A tensor whose slices along axis A are probability vectors (non-negative, summing to 1). */
export type Probs<S extends Shape, A extends S[number]> = Tensor<S> & { readonly [distributionAlong]: A };

/** A tensor through which no gradient flows (a target: a teacher's output, codes, pseudo-labels, a center). */
export type Detached<T extends Tensor> = T & { readonly [noGradient]: true };

/**
 * A tensor the gradient may flow through: any tensor except a `Detached` one
 * (every plain Tensor is one). Losses type their logits (predictions) so, and
 * `detach(student)` passed there does not compile: its gradient would silently be zero.
 */
export type Differentiable<T extends Tensor> = T & { readonly [noGradient]?: never };

/** Assert (by the caller's knowledge, checked only for the axis) that x holds distributions along `axis`. */
export function asProbs<S extends Shape, A extends S[number]>(x: Tensor<S>, axis: A): Probs<S, NoInfer<A>> {
  if (!x.axes.includes(axis)) throw new ShapeError(`asProbs: tensor [${x.axes.join(', ')}] has no axis ${axis}`, { axis });
  return x as Probs<S, A>;
}

/** x's value with no gradient: stopGradient, typed. Detaching keeps every other brand (a detached Probs stays Probs). */
export function detach<T extends Tensor>(x: T): Detached<T> {
  return stopGradient(x) as Detached<T>;
}

type Reduced<S extends Shape, A extends Axis, R extends Reduction> = R extends 'none' ? Tensor<Without<S, A>> : Tensor<[]>;

function reduce<S extends Shape, A extends S[number], R extends Reduction>(perItem: Tensor<Without<S, A>>, reduction: R): Reduced<S, A, R> {
  if (reduction === 'none') return perItem as Reduced<S, A, R>;
  const total: Tensor<[]> = withAxes(reduction === 'sum' ? sum(perItem) : mean(perItem), []);
  return total as Reduced<S, A, R>;
}

/** x·log(y), and 0 where x is 0 (whatever y, with zero gradients there): scipy's xlogy. */
export function xlogy<S extends Shape>(x: Tensor<S>, y: Tensor<NoInfer<S>>): Tensor<S> {
  return mul(x, log(select(equal(x, 0), 1, y)));
}

/**
 * H(target, softmax(logits)) along `axis`: Σ_A -target·logSoftmax(logits),
 * then the mean over the remaining axes (or their sum, or none). This is the
 * loss of DINO (teacher probabilities against student logits) and of SwAV
 * (codes against prototype scores). The target is `Detached` (a teacher's
 * output, codes, or constant soft labels through `detach`); the logits must not be.
 */
export function softCrossEntropy<S extends Shape, A extends S[number], R extends Reduction = 'mean'>(
  target: Detached<Probs<S, A>>,
  logits: Differentiable<Tensor<NoInfer<S>>>,
  axis: NoInfer<A>,
  reduction: R = 'mean' as R,
): Reduced<S, A, R> {
  const perItem = sum(mul(neg(target as Tensor<S>), logSoftmax(logits, axis)), axis);
  return reduce<S, A, R>(perItem, reduction);
}

/**
 * H(target, probs) along `axis` for probabilities (not logits): Σ_A -target·log(probs),
 * with 0·log 0 = 0, then reduced over the remaining axes (PAWS' loss). The
 * target is `Detached` (PAWS' sharpened targets); the predictions must not be.
 */
export function crossEntropyOfProbs<S extends Shape, A extends S[number], R extends Reduction = 'mean'>(
  target: Detached<Probs<S, A>>,
  probs: Differentiable<Probs<NoInfer<S>, NoInfer<A>>>,
  axis: NoInfer<A>,
  reduction: R = 'mean' as R,
): Reduced<S, A, R> {
  const perItem = neg(sum(xlogy(target as Tensor<S>, probs as Tensor<S>), axis));
  return reduce<S, A, R>(perItem, reduction);
}

/** Shannon entropy along `axis` (0·log 0 = 0), reduced over the remaining axes. */
export function entropy<S extends Shape, A extends S[number], R extends Reduction = 'none'>(p: Probs<S, A>, axis: NoInfer<A>, reduction: R = 'none' as R): Reduced<S, A, R> {
  const perItem = neg(sum(xlogy(p as Tensor<S>, p as Tensor<S>), axis));
  return reduce<S, A, R>(perItem, reduction);
}
