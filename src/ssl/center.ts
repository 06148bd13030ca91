/**
 * Centering (DINO): subtract from the teacher's outputs a running mean of
 * them, so that no single dimension dominates. The center is state: a value
 * the caller threads from step to step, never a field that changes.
 *
 *   centered = x - c
 *   c'       = m·c + (1 - m)·mean_batch(x)        (x without gradient)
 *
 * `centering(momentum, batchAxis)` packages the two with an `init`.
 */
import type { Axis, Shape, Without } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div, mul, sub } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { sum } from '../ops/reduce.js';
import { full } from '../ops/sources.js';
import { withAxes } from '../ops/with-axes.js';
import { detach, type Detached } from './cross-entropy-soft.js';

declare const runningMean: unique symbol;

/**
 * A center: the running mean of a batch's rows, without gradient. Only
 * `initCenter`, `updateCenter` (and `centering`'s init and update) make one, so
 * `applyCenter` cannot be handed an arbitrary tensor; `asCenter` marks a
 * center that crossed a boundary the types do not follow (a checkpoint, a
 * traced program's input).
 */
export type Center<S extends Shape> = Detached<Tensor<S>> & { readonly [runningMean]: true };

/** The zero center for the given axes and sizes (DINO starts from zeros). */
export function initCenter<const S extends string[]>(axes: S, sizes: readonly number[] | Readonly<Record<string, number>>): Center<S> {
  return detach(full(0, axes, sizes)) as Center<S>;
}

/**
 * x as a center (detached): for a center restored from a checkpoint or passed into a
 * traced program, whose value came from `initCenter`/`updateCenter` on the other side.
 */
export function asCenter<S extends Shape>(x: Tensor<S>): Center<S> {
  return detach(x) as Center<S>;
}

/** x - c, with c a center broadcast over the batch axis (or axes). */
export function applyCenter<S extends Shape, C extends Shape>(x: Tensor<S>, c: Center<C>): Tensor<S> {
  const missing = c.axes.find((a) => !x.axes.includes(a));
  if (missing !== undefined) throw new ShapeError(`applyCenter: the center has axis ${missing}, which [${x.axes.join(', ')}] lacks`, { axis: missing });
  return sub(x, broadcastTo(c, x.axes, x.sizes) as Tensor<S>);
}

/**
 * The new center m·c + (1 - m)·(Σ_batch x)/n, with x detached (DINO's
 * update_center, world size 1: the sum is divided by the number of rows).
 */
export function updateCenter<S extends Shape, A extends S[number]>(center: Center<Without<S, A>>, x: Tensor<S>, batchAxis: A, momentum: number): Center<Without<S, A>> {
  return updateCenterOnAxes(center, x, batchAxis, momentum) as Center<Without<S, A>>;
}

/**
 * updateCenter where the axes are type parameters the checker cannot follow through Without
 * (DINO's [B, K] for generic B and K): the same update, the axes checked at run time (the
 * center's must be x's without the batch axis), the result typed by the caller.
 */
export function updateCenterOnAxes(center: Center<Shape>, x: Tensor, batchAxis: Axis, momentum: number): Center<Shape> {
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`updateCenter: momentum must lie in [0, 1], got ${momentum}`);
  const rest = x.axes.filter((a) => a !== batchAxis);
  if (rest.length === x.axes.length || rest.length !== center.axes.length || rest.some((a, i) => a !== center.axes[i])) {
    throw new ShapeError(`updateCenter: a center [${center.axes.join(', ')}] is not the mean of [${x.axes.join(', ')}] over ${batchAxis}`, { axis: batchAxis });
  }
  const batchCenter = div(sum(detach(x), batchAxis), x.size(batchAxis));
  return detach(add(mul(detach(center), momentum), mul(withAxes(batchCenter, center.axes), 1 - momentum))) as Center<Shape>;
}

/** The centering part as a value: apply it, and update its state. */
export interface Centering<A extends Axis> {
  readonly momentum: number;
  readonly batchAxis: A;
  /** The zero center for a batch shaped like x. */
  init<S extends Shape>(x: Tensor<S>): Center<Without<S, A>>;
  /** x minus the center, broadcast over the batch axis. */
  apply<S extends Shape>(x: Tensor<S>, center: Center<Without<S, A>>): Tensor<S>;
  /** The next center: the momentum's average of the old one and x's batch mean. */
  update<S extends Shape>(center: Center<Without<S, A>>, x: Tensor<S>): Center<Without<S, A>>;
}

/** DINO's centering as a value: its init, apply and update around a batch axis and a momentum. */
export function centering<const A extends Axis>(momentum: number, batchAxis: A): Centering<A> {
  return {
    momentum,
    batchAxis,
    init: <S extends Shape>(x: Tensor<S>) => {
      const keep = x.axes.map((a, i) => [a, x.sizes[i]!] as const).filter(([a]) => a !== batchAxis);
      return initCenter(keep.map(([a]) => a), keep.map(([, n]) => n)) as Center<Shape> as Center<Without<S, A>>;
    },
    apply: <S extends Shape>(x: Tensor<S>, center: Center<Without<S, A>>) => applyCenter(x, center),
    update: <S extends Shape>(center: Center<Without<S, A>>, x: Tensor<S>) =>
      updateCenterOnAxes(center, x, batchAxis, momentum) as Center<Without<S, A>>,
  };
}
