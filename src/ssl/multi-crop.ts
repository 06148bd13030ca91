/**
 * Multi-crop: a few global views (large crops) and several local views (small
 * crops) of each image; the teacher (or the assignment step) sees only some of
 * them, and each of its outputs is compared with every other view.
 *
 * Batches of views are stacked crop-major, as the official code does: rows
 * [v·B, (v+1)·B) hold view v of the B images. `splitViews` and `stackViews`
 * convert between the stacked tensor and the list of views; `crossViewPairs`
 * lists the (target view, predicting view) pairs in the official loop order.
 */
import type { Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { slice, concat } from '../ops/slicing.js';

/** A view's kind in multi-crop: one of the large global views or of the small local ones. */
export type ViewKind = 'global' | 'local';

/** A multi-crop configuration: its views and pairs. */
export interface MultiCrop {
  readonly globalViews: number;
  readonly localViews: number;
  /** globalViews + localViews. */
  readonly views: number;
  /** Kind of each view, globals first (as in DINO's, SwAV's and PAWS' loaders). */
  readonly kinds: readonly ViewKind[];
  /** The views whose outputs serve as targets (DINO: the teacher's; SwAV: crops_for_assign). */
  readonly targetViews: readonly number[];
}

/** Options of `multiCrop`: global and local views. */
export interface MultiCropOptions {
  readonly global: number;
  readonly local: number;
  /** Default: every global view. */
  readonly targetViews?: readonly number[];
}

/** A multi-crop configuration: global and local views, and which views are compared with which. */
export function multiCrop(options: MultiCropOptions): MultiCrop {
  const { global, local } = options;
  if (!Number.isInteger(global) || global < 1) throw new RangeError(`multiCrop: needs at least one global view, got ${global}`);
  if (!Number.isInteger(local) || local < 0) throw new RangeError(`multiCrop: local views must be a non-negative integer, got ${local}`);
  const views = global + local;
  const targetViews = [...(options.targetViews ?? Array.from({ length: global }, (_, i) => i))];
  targetViews.forEach((v) => {
    if (!Number.isInteger(v) || v < 0 || v >= views) throw new RangeError(`multiCrop: target view ${v} is not among the ${views} views`);
  });
  if (new Set(targetViews).size !== targetViews.length) throw new RangeError(`multiCrop: target views [${targetViews.join(', ')}] repeat a view`);
  return Object.freeze({
    globalViews: global,
    localViews: local,
    views,
    kinds: Object.freeze(Array.from({ length: views }, (_, i): ViewKind => (i < global ? 'global' : 'local'))),
    targetViews: Object.freeze(targetViews),
  });
}

/** One term of a multi-crop loss: the target from view `targetView` (the `target`-th target) predicted from view `view`. */
export interface ViewPair {
  /** Index into the list of targets (DINO: the teacher chunk iq; SwAV: i in crops_for_assign). */
  readonly target: number;
  /** The view the target comes from. */
  readonly targetView: number;
  /** The view that predicts it (never targetView). */
  readonly view: number;
}

/** Every (target, other view) pair, target-major, skipping a view paired with itself (DINO's and SwAV's loops). */
export function crossViewPairs(crops: Pick<MultiCrop, 'views' | 'targetViews'>): readonly ViewPair[] {
  return crops.targetViews.flatMap((targetView, target) =>
    Array.from({ length: crops.views }, (_, view) => view)
      .filter((view) => view !== targetView)
      .map((view) => ({ target, targetView, view })),
  );
}

/** Split crop-major stacked rows along `axis` into `views` equal blocks (torch.chunk). */
export function splitViews<S extends Shape>(x: Tensor<S>, axis: S[number], views: number): Tensor<S>[] {
  const n = x.size(axis);
  if (!Number.isInteger(views) || views < 1 || n % views !== 0) {
    throw new ShapeError(`splitViews: axis ${axis} has ${n} rows, which do not split into ${views} equal views`, { axis, sizes: [n, views] });
  }
  const b = n / views;
  return Array.from({ length: views }, (_, v) => slice(x, axis, v * b, (v + 1) * b));
}

/** Stack views crop-major along `axis` (the inverse of splitViews). */
export function stackViews<S extends Shape>(views: readonly Tensor<S>[], axis: S[number]): Tensor<S> {
  return concat(views, axis);
}

/** The list with its first two entries exchanged: PAWS' targets for view 0 come from view 1 and vice versa. */
export function swapGlobalViews<T>(views: readonly T[]): T[] {
  if (views.length < 2) throw new RangeError(`swapGlobalViews: needs at least two views, got ${views.length}`);
  return [views[1]!, views[0]!, ...views.slice(2)];
}
