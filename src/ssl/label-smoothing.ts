/**
 * Label smoothing: one-hot labels mixed with the uniform distribution,
 * (1 - s)·onehot + s/C, so that every class keeps a little mass.
 *
 * `labelsMatrix` is PAWS' make_labels_matrix (unique_classes = false): the
 * labels of a class-stratified support batch, where support row r belongs to
 * class r mod C; every entry is s/C and the true class 1 - s + s/C.
 */
import type { Axis, Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { concat } from '../ops/slicing.js';
import { fromArray } from '../ops/sources.js';
import { asProbs, type Probs } from './cross-entropy-soft.js';

function requireSmoothing(where: string, s: number): void {
  if (!(s >= 0 && s <= 1)) throw new RangeError(`${where}: smoothing must lie in [0, 1], got ${s}`);
}

/** (1 - s)·y + s/C along `classAxis`, for y one-hot (or any distribution). */
export function smoothLabels<S extends Shape, A extends S[number]>(y: Tensor<S>, smoothing: number, classAxis: A): Probs<S, NoInfer<A>> {
  requireSmoothing('smoothLabels', smoothing);
  const c = y.size(classAxis);
  return asProbs(add(mul(y, 1 - smoothing), smoothing / c), classAxis);
}

/** PAWS' labels matrix: classes, images per class, smoothing, views, axes. */
export interface LabelsMatrixOptions<R extends Axis, C extends Axis> {
  readonly numClasses: number;
  /** Support images per class on one worker (PAWS' s_batch_size / supervised_imgs_per_class). */
  readonly imagesPerClass: number;
  readonly smoothing?: number;
  /** Workers whose supports are gathered (the rows repeat the class pattern); default 1. */
  readonly worldSize?: number;
  /** Views of each support image, stacked view-major (PAWS: supervised_views); default 1. */
  readonly views?: number;
  /** Axis names of the result (default ['S', 'C']). */
  readonly axes?: readonly [R, C];
}

/**
 * PAWS' labels: rows imagesPerClass·numClasses·worldSize (times `views`,
 * stacked), row r of class r mod C: s/C everywhere and 1 - s + s/C on the class.
 */
export function labelsMatrix<const R extends Axis = 'S', const C extends Axis = 'C'>(options: LabelsMatrixOptions<R, C>): Probs<[R, C], C> {
  const { numClasses: c, imagesPerClass } = options;
  const s = options.smoothing ?? 0;
  const world = options.worldSize ?? 1;
  const views = options.views ?? 1;
  requireSmoothing('labelsMatrix', s);
  for (const [what, n] of [['numClasses', c], ['imagesPerClass', imagesPerClass], ['worldSize', world], ['views', views]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`labelsMatrix: ${what} must be a positive integer, got ${n}`);
  }
  const axes = (options.axes ?? ['S', 'C']) as readonly [R, C];
  const rows = imagesPerClass * c * world;
  const off = s / c;
  const on = 1 - s + off;
  const data = new Float64Array(rows * c).fill(off);
  for (let r = 0; r < rows; r++) data[r * c + (r % c)] = on;
  const one = fromArray(data, [axes[0], axes[1]], [rows, c], { name: 'labels_matrix' }) as Tensor<[R, C]>;
  const stacked = views === 1 ? one : concat(Array.from({ length: views }, () => one), axes[0]);
  return asProbs(stacked, axes[1]);
}
