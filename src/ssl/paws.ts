/**
 * PAWS' objective (suncet src/losses.py, glue from src/paws_train.py),
 * composed from the parts:
 *
 *   probs   = snn(anchor views, anchor supports, labels)                  [(2+mc)·U, C]
 *   targets = sharpen(snn(target views, target supports, labels), T)     (detached) [2·U, C]
 *             + for each of the mc local views, the mean of the two global targets;
 *             entries below 1e-4 set to 0
 *   ploss   = mean_rows H(targets, probs)
 *   rloss   = Σ avg·log avg,  avg = mean_rows sharpen(probs, T)          (me-max; -H(avg))
 *   loss    = ploss + rloss
 *
 * `loss` takes the stacked representations as the training script does:
 * h (before the prediction head; targets) and z (after it; anchors), rows
 * [supports; unlabeled views view-major], with the two global views swapped
 * for the targets.
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { add, less, mul, select } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { concat, slice } from '../ops/slicing.js';
import { asProbs, crossEntropyOfProbs, detach, type Detached, type Differentiable, type Probs } from './cross-entropy-soft.js';
import { labelsMatrix } from './label-smoothing.js';
import { averageDistribution, meMaxPenalty } from './me-max.js';
import { splitViews, stackViews, swapGlobalViews } from './multi-crop.js';
import { sharpen } from './sharpen.js';
import { snn } from './snn.js';

/** PAWS' configuration (paws_train.py's). */
export interface PawsConfig {
  readonly numClasses: number;
  /** Labelled images per class in the support batch (supervised_imgs_per_class). */
  readonly supportImagesPerClass: number;
  /** Views of each support image (supervised_views; default 1). */
  readonly supportViews?: number;
  /** Local (multi-crop) views of each unlabeled image (default 6; 0 for none). */
  readonly multicrop?: number;
  /** Similarity temperature of snn (default 0.1). */
  readonly tau?: number;
  /** Sharpening temperature (default 0.25). */
  readonly T?: number;
  /** Add the me-max regulariser (default true). */
  readonly meMax?: boolean;
  readonly labelSmoothing?: number;
}

/** The six arguments of PAWS' loss (losses.py): anchors, targets, their supports, labels. */
export interface PawsParts<V extends Axis, S extends Axis, D extends Axis, C extends Axis> {
  /** The anchors carry the gradient: a teacher's (detached) representations are refused. */
  readonly anchorViews: Differentiable<Tensor<[V, D]>>;
  readonly anchorSupports: Differentiable<Tensor<[S, D]>>;
  /** The targets' side (detached by the loss): the network's own, or a teacher's. */
  readonly targetViews: Tensor<[V, D]>;
  readonly targetSupports: Tensor<[S, D]>;
  /** Labels of the supports (rows: the supports' axis). */
  readonly labels: Probs<[S, C], C>;
}

/** PAWS' loss, its terms, predictions and targets. */
export interface PawsResult<V extends Axis, C extends Axis> {
  readonly loss: Tensor<[]>;
  readonly ploss: Tensor<[]>;
  /** The me-max term added to the loss (Σ avg·log avg; 0 when disabled). */
  readonly meMax: Tensor<[]>;
  /** The anchors' snn predictions. */
  readonly probs: Probs<[V, C], C>;
  /** The sharpened, detached targets (multi-crop rows appended, small entries zeroed). */
  readonly targets: Detached<Probs<[V, C], C>>;
  /** mean_rows sharpen(probs). */
  readonly averageSharpened: Probs<[C], C>;
}

/** PAWS' objective: its configuration, labels and losses. */
export interface Paws {
  readonly config: Required<PawsConfig>;
  /** Rows of support: supportViews·supportImagesPerClass·numClasses. */
  readonly numSupport: number;
  /** PAWS' labels for the support rows (make_labels_matrix stacked supportViews times). */
  labels<const S extends Axis = 'S', const C extends Axis = 'C'>(axes?: readonly [S, C]): Probs<[S, C], C>;
  /** The loss of losses.py from its six arguments (views stacked view-major). */
  lossFromParts<V extends Axis, S extends Axis, D extends Axis, C extends Axis>(parts: PawsParts<V, S, D, C>): PawsResult<V, C>;
  /** The loss from the stacked representations h (targets' side) and z (anchors: differentiable) [supports; views], as paws_train.py. */
  loss<N extends Axis, D extends Axis, S extends Axis, C extends Axis>(h: Tensor<[N, D]>, z: Differentiable<Tensor<[N, D]>>, labels: Probs<[S, C], C>): PawsResult<N, C>;
}

/** PAWS' objective from its configuration: the soft-nearest-neighbour loss against the supports, with sharpening and me-max. */
export function paws(config: PawsConfig): Paws {
  const full: Required<PawsConfig> = { supportViews: 1, multicrop: 6, tau: 0.1, T: 0.25, meMax: true, labelSmoothing: 0.1, ...config };
  const numSupport = full.supportViews * full.supportImagesPerClass * full.numClasses;
  const mc = full.multicrop;

  function lossFromParts<V extends Axis, S extends Axis, D extends Axis, C extends Axis>(parts: PawsParts<V, S, D, C>): PawsResult<V, C> {
    const vAxis = parts.anchorViews.axes[0] as V;
    const cAxis = parts.labels.axes[1] as C;
    const n = parts.anchorViews.size(vAxis);
    if (n % (2 + mc) !== 0) throw new ShapeError(`paws: ${n} anchor views do not split into ${2 + mc} views per image`, { axis: vAxis });
    const ub = n / (2 + mc);
    const probs = snn(parts.anchorViews, parts.anchorSupports, parts.labels, full.tau);
    const rawTargets = sharpen(snn(detach(parts.targetViews) as Tensor<[V, D]>, detach(parts.targetSupports) as Tensor<[S, D]>, parts.labels, full.tau), full.T, cAxis) as Tensor<[V, C]>;
    let targets: Tensor<[V, C]> = rawTargets;
    if (mc > 0) {
      const [t0, t1] = splitViews(rawTargets, vAxis, 2) as [Tensor<[V, C]>, Tensor<[V, C]>];
      const m = mul(add(t0, t1), 0.5);
      targets = concat([rawTargets, ...Array.from({ length: mc }, () => m)], vAxis);
    }
    targets = select(less(targets, 1e-4), 0, targets);
    const detachedTargets = detach(targets) as Detached<Probs<[V, C], C>>;
    if (targets.size(vAxis) !== n) throw new ShapeError(`paws: ${targets.size(vAxis)} target rows for ${n} anchor rows (target views must be the 2 global views of ${ub} images)`, { axis: vAxis });
    const ploss = crossEntropyOfProbs(detachedTargets, probs, cAxis);
    const sharpened = sharpen(probs, full.T, cAxis);
    const averageSharpened = averageDistribution(sharpened, cAxis);
    const rloss = full.meMax ? meMaxPenalty(sharpened, cAxis) : (mul(ploss, 0) as Tensor<[]>);
    return { loss: full.meMax ? add(ploss, rloss) : ploss, ploss, meMax: rloss, probs, targets: detachedTargets, averageSharpened };
  }

  return {
    config: full,
    numSupport,
    labels: <const S extends Axis = 'S', const C extends Axis = 'C'>(axes?: readonly [S, C]) =>
      labelsMatrix<S, C>({
        numClasses: full.numClasses,
        imagesPerClass: full.supportImagesPerClass,
        smoothing: full.labelSmoothing,
        views: full.supportViews,
        ...(axes === undefined ? {} : { axes }),
      }),
    lossFromParts,
    loss<N extends Axis, D extends Axis, S extends Axis, C extends Axis>(h: Tensor<[N, D]>, z: Differentiable<Tensor<[N, D]>>, labels: Probs<[S, C], C>): PawsResult<N, C> {
      const nAxis = z.axes[0] as N;
      const ns = labels.size(labels.axes[0] as S);
      if (ns !== numSupport) throw new ShapeError(`paws: ${ns} label rows, but the configuration has ${numSupport} supports`, { axis: labels.axes[0] as string });
      const rows = z.size(nAxis);
      const ub = (rows - ns) / (2 + mc);
      if (!Number.isInteger(ub) || ub < 1) throw new ShapeError(`paws: ${rows} rows minus ${ns} supports do not split into ${2 + mc} views per image`, { axis: nAxis });
      // Supports and views share the rows axis of h and z; the labels take the supports' axis name.
      const sup = `${nAxis}:support` as Axis;
      const supports = (x: Tensor<[N, D]>) => reshape(slice(x, nAxis, 0, ns), [sup, x.axes[1] as D], [ns, x.size(x.axes[1] as D)]);
      const cAxis = labels.axes[1] as C;
      const labelsOnSupports = asProbs(reshape(labels, [sup, cAxis] as [Axis, C], labels.sizes), cAxis);
      const globals = splitViews(slice(h, nAxis, ns, ns + 2 * ub), nAxis, 2);
      return lossFromParts({
        anchorViews: slice(z, nAxis, ns, rows),
        anchorSupports: supports(z),
        targetViews: stackViews(swapGlobalViews(globals), nAxis),
        targetSupports: supports(h),
        labels: labelsOnSupports,
      });
    },
  };
}
