/**
 * DeepCluster (Caron et al. 2018) as composable parts, state threaded
 * explicitly. One epoch of the official main.py:
 *   1. features of the whole dataset (the trunk + classifier without its top layer);
 *   2. preprocess_features: PCA-whitening to pcaDims, L2 normalisation;
 *   3. k-means (20 Lloyd iterations) → images_lists;
 *   4. cluster_assign: the reassigned dataset, labels compacted over non-empty clusters;
 *   5. UnifLabelSampler(int(reassign·N), images_lists);
 *   6. a fresh top layer: Linear(features → k), weight ~ N(0, 0.01), bias 0;
 *   7. train one epoch with cross-entropy on the pseudo-labels.
 * Steps 2–6 are {@link deepClusterEpoch}; step 7 is {@link pseudoLabelLoss}
 * inside the user's training step. Clustering runs on values (float64),
 * outside the graph, as the official code runs faiss outside autograd.
 */
import type { Axis, Shape, Sizes, Without } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { Detached, Differentiable } from './cross-entropy-soft.js';
import { normal, split, type Key } from '../runtime/prng.js';
import { crossEntropy, type Reduction } from '../ops/losses.js';
import { fromArray, full } from '../ops/sources.js';
import { setPath } from '../nn/params.js';
import { weightOutAxis, type LinearParams } from '../nn/linear.js';
import { pcaWhiten, type PcaWhitenResult } from './pca-whiten.js';
import { kmeans, lloyd, type KMeansResult } from './kmeans.js';
import { clusterAssign, loadedItems, unifLabelSampler, type LoadedItems, type ReassignedDataset, type SamplerSource, type UnifSample } from './uniform-sampler.js';

/** DeepCluster's configuration: clusters, PCA dimensions, reassignment. */
export interface DeepClusterConfig {
  /** k, the number of clusters (DeepCluster on ImageNet: 10000). */
  readonly clusters: number;
  /** PCA-whitening dimension (DeepCluster: 256). */
  readonly pcaDims: number;
  /** Lloyd iterations (default 20). */
  readonly niter?: number;
  /** The sampler draws int(reassign · N) images per epoch (default 1). */
  readonly reassign?: number;
  /** Standard deviation of the fresh top layer's weights (default 0.01). */
  readonly topLayerStd?: number;
}

/** What DeepCluster carries from one epoch to the next. */
export interface DeepClusterState {
  readonly epoch: number;
  /** The previous epoch's cluster of each image (for NMI between consecutive assignments), if any. */
  readonly previousAssignment: Int32Array | undefined;
}

/** DeepCluster's state before the first epoch (no previous assignment). */
export const initialDeepClusterState: DeepClusterState = Object.freeze({ epoch: 0, previousAssignment: undefined });

/** Options of one DeepCluster epoch: initial centroids, the sampler's source. */
export interface DeepClusterEpochOptions {
  /** Initial centroids [k, pcaDims] instead of a keyed random choice of k points (for reproducing runs). */
  readonly initialCentroids?: NDArray;
  /** Randomness of the sampler (default: a key split from the epoch's key). */
  readonly samplerSource?: SamplerSource;
}

/** One DeepCluster epoch: the clustering, the pseudo-labelled dataset, the sampler and the reset top layer. */
export interface DeepClusterEpoch<F extends Axis, K extends Axis> {
  readonly state: DeepClusterState;
  readonly preprocessed: PcaWhitenResult<string, string>;
  readonly clustering: KMeansResult;
  readonly dataset: ReassignedDataset;
  readonly sampler: UnifSample;
  /** What the official DataLoader loads for each sampler index (image id and pseudo-label). */
  readonly batches: LoadedItems;
  /**
   * The fresh top layer, Linear(F → K) with K = len(images_lists) = k, as the
   * official code builds it (even when clusters are empty; the pseudo-labels
   * are compacted, so the last outputs then go untrained).
   */
  readonly topLayer: LinearParams<F, K>;
}

/** A fresh top layer as DeepCluster builds it: weight ~ N(0, std²) [K, F], bias 0 [K]. */
export function resetTopLayer<const F extends Axis, const K extends Axis>(key: Key, inAxis: F, outAxis: K, sizes: Sizes, std = 0.01): LinearParams<F, K> {
  const nIn = sizes[inAxis];
  const nOut = sizes[outAxis];
  if (nIn === undefined || nOut === undefined) throw new RangeError(`resetTopLayer: sizes must bind ${inAxis} and ${outAxis}`);
  const wOut = weightOutAxis(inAxis, outAxis);
  const w = Float64Array.from(normal(key, nOut * nIn), (v) => v * std);
  return {
    weight: fromArray(w, [wOut, inAxis], [nOut, nIn], { name: 'top_layer.weight' }),
    bias: full(0, [outAxis], [nOut]),
  } as LinearParams<F, K>;
}

/** Replace the parameters at a dotted path (e.g. 'top_layer') by fresh ones from `init`. */
export function resetAt<P, Q>(params: P, path: string, init: () => Q): P {
  return setPath(params, path, init());
}

/**
 * Steps 2–6 of a DeepCluster epoch on the features [N, F] of the whole
 * dataset: cluster, build the reassigned dataset and the epoch's sample, and a
 * fresh top layer. Pure: the key decides the k-means init, the sampler and
 * the top layer.
 */
export function deepClusterEpoch<const F extends Axis, const K extends Axis>(
  key: Key,
  state: DeepClusterState,
  features: NDArray<readonly [string, string]>,
  config: DeepClusterConfig,
  axes: { readonly features: F; readonly classes: K },
  options: DeepClusterEpochOptions = {},
): DeepClusterEpoch<F, K> {
  const [kInit, kSampler, kTop] = split(key, 3) as [Key, Key, Key];
  const preprocessed = pcaWhiten(features, { dims: config.pcaDims });
  const xb = preprocessed.features;
  const niter = config.niter ?? 20;
  const clustering = options.initialCentroids === undefined ? kmeans(kInit, xb, { k: config.clusters, niter }) : lloyd(xb, options.initialCentroids, { niter });
  const dataset = clusterAssign(clustering.imagesLists);
  const n = Math.trunc((config.reassign ?? 1) * dataset.imageIndex.length);
  const sampler = unifLabelSampler(n, clustering.imagesLists, options.samplerSource ?? kSampler);
  const batches = loadedItems(dataset, sampler.indexes);
  const fIn = features.sizes[1]!;
  const topLayer = resetTopLayer(kTop, axes.features, axes.classes, { [axes.features]: fIn, [axes.classes]: clustering.imagesLists.length }, config.topLayerStd);
  return {
    state: { epoch: state.epoch + 1, previousAssignment: Int32Array.from(clustering.assign) },
    preprocessed,
    clustering,
    dataset,
    sampler,
    batches,
    topLayer,
  };
}

/**
 * Cross-entropy of the classifier's logits against the pseudo-labels (DeepCluster's criterion).
 * The pseudo-labels are a target (`Detached`: `detach(labels)`), the logits must carry a gradient.
 */
export function pseudoLabelLoss<S extends Shape, A extends S[number], R extends Reduction = 'mean'>(logits: Differentiable<Tensor<S>>, pseudoLabels: Detached<Tensor<S>> | Detached<Tensor<Without<S, A>>>, classAxis: A, reduction?: R) {
  return crossEntropy(logits, pseudoLabels, classAxis, reduction);
}

/** The samples of one epoch in batches of `size` (the last may be shorter), in sampler order. */
export function epochBatches(items: LoadedItems, size: number): LoadedItems[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`epochBatches: batch size must be a positive integer, got ${size}`);
  const out: LoadedItems[] = [];
  for (let at = 0; at < items.imageIndex.length; at += size) {
    out.push({ imageIndex: items.imageIndex.slice(at, at + size), pseudolabel: items.pseudolabel.slice(at, at + size) });
  }
  return out;
}
