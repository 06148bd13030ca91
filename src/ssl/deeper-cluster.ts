/**
 * DeeperCluster (Caron et al. 2019): hierarchical targets built from a
 * two-level clustering and, with RotNet, rotations (README §7.4).
 *
 * The official code spreads the target over processes: each process trains
 * on the images of one super-cluster, rotated by one angle, and its
 * super-class target is constant over its batch. Here the same arithmetic is
 * exposed as pure functions (the rank table), and as per-image targets for a
 * single-process composition:
 *   super-class target = 4·superCluster + rotation   (rotnet; superCluster otherwise)
 *   sub-class target   = subCluster
 *   loss = CE(subLogits, subCluster) + CE(superLogits, superTarget)
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { NDArray } from '../runtime/ndarray.js';
import { split, type Key } from '../runtime/prng.js';
import { add } from '../ops/elementwise.js';
import { crossEntropy } from '../ops/losses.js';
import { fromArray, full } from '../ops/sources.js';
import { choice, shuffled, streamOf, type SamplerSource } from './uniform-sampler.js';
import { kmeans, type KMeansResult } from './kmeans.js';
import { pcaWhiten } from './pca-whiten.js';

/* ------------------------------------------------------------------------ */
/* Process layout (init_distributed_mode)                                    */
/* ------------------------------------------------------------------------ */

/** How DeeperCluster's work is laid out across ranks. */
export interface RankLayout {
  readonly worldSize: number;
  /** Number of super-classes of the super-class head (= 4·super-clusters with rotnet). */
  readonly superClasses: number;
  readonly rotnet: boolean;
}

/** One rank's share of the layout. */
export interface RankRow {
  readonly rank: number;
  /** = the super-class target of this process. */
  readonly trainingLocalWorldId: number;
  readonly trainingLocalRank: number;
  /** = the super-cluster whose images this process sees. */
  readonly clusteringLocalWorldId: number;
  readonly clusteringLocalRank: number;
  /** Rotation index (angle = 90°·rotation). */
  readonly rotation: number;
}

/** The number of super-clusters: superClasses / 4 with rotnet, superClasses otherwise. */
export function superClusterCount(layout: Pick<RankLayout, 'superClasses' | 'rotnet'>): number {
  if (layout.rotnet && layout.superClasses % 4 !== 0) throw new RangeError(`DeeperCluster: with rotnet the number of super-classes (${layout.superClasses}) must be a multiple of 4`);
  return layout.rotnet ? layout.superClasses / 4 : layout.superClasses;
}

/** init_distributed_mode's rank arithmetic for one rank. */
export function rankRow(layout: RankLayout, rank: number): RankRow {
  const { worldSize, superClasses, rotnet } = layout;
  if (!Number.isInteger(worldSize) || worldSize < 1 || worldSize % superClasses !== 0) throw new RangeError(`DeeperCluster: world size ${worldSize} must be a positive multiple of the number of super-classes ${superClasses}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new RangeError(`DeeperCluster: rank ${rank} is outside [0, ${worldSize})`);
  const tlws = worldSize / superClasses;
  const nSuper = superClusterCount(layout);
  const clws = tlws * (superClasses / nSuper);
  const clr = rank % clws;
  return {
    rank,
    trainingLocalWorldId: Math.floor(rank / tlws),
    trainingLocalRank: rank % tlws,
    clusteringLocalWorldId: Math.floor(rank / clws),
    clusteringLocalRank: clr,
    rotation: rotnet ? Math.floor(clr / tlws) : 0,
  };
}

/** Every rank's row. */
export function rankTable(layout: RankLayout): RankRow[] {
  return Array.from({ length: layout.worldSize }, (_, r) => rankRow(layout, r));
}

/* ------------------------------------------------------------------------ */
/* Targets and loss                                                          */
/* ------------------------------------------------------------------------ */

/** Per-image super-class and sub-class targets. */
export interface HierarchicalTargets {
  readonly superTarget: Int32Array;
  readonly subTarget: Int32Array;
}

/** Per-image targets: super = 4·superCluster + rotation (rotnet) or superCluster; sub = subCluster. */
export function hierarchicalTargets(superCluster: ArrayLike<number>, subCluster: ArrayLike<number>, rotation: ArrayLike<number> | undefined): HierarchicalTargets {
  const n = superCluster.length;
  if (subCluster.length !== n || (rotation !== undefined && rotation.length !== n)) throw new RangeError('hierarchicalTargets: super-cluster, sub-cluster and rotation lists must have one entry per image');
  const superTarget = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rotation === undefined ? 0 : rotation[i]!;
    if (rotation !== undefined && !(r >= 0 && r < 4)) throw new RangeError(`hierarchicalTargets: rotation ${r} of image ${i} is not in 0..3`);
    superTarget[i] = rotation === undefined ? superCluster[i]! : 4 * superCluster[i]! + r;
  }
  return { superTarget, subTarget: Int32Array.from(subCluster) };
}

/** DeeperCluster's loss terms. */
export interface DeeperClusterLoss {
  readonly loss: Tensor<[]>;
  readonly subLoss: Tensor<[]>;
  readonly superLoss: Tensor<[]>;
}

/**
 * DeeperCluster's training loss: CE(subLogits, subTarget) + CE(superLogits,
 * superTarget), each a mean over the batch. The super target may be one
 * class for the whole batch (one process of the official code) or a tensor.
 */
export function deeperClusterLoss<B extends Axis, KSub extends Axis, KSup extends Axis>(
  subLogits: Tensor<[B, KSub]>,
  superLogits: Tensor<[B, KSup]>,
  subTarget: Tensor<[B]>,
  superTarget: Tensor<[B]> | number,
): DeeperClusterLoss {
  const [b, kSub] = subLogits.axes;
  const [b2, kSup] = superLogits.axes;
  if (b !== b2 || subLogits.sizes[0] !== superLogits.sizes[0]) throw new ShapeError(`deeperClusterLoss: the two heads must share the batch axis, got [${subLogits.axes.join(', ')}] and [${superLogits.axes.join(', ')}]`, { op: 'deeperClusterLoss' });
  const superT = typeof superTarget === 'number' ? (full(superTarget, [b], [subLogits.sizes[0]!]) as Tensor<[B]>) : superTarget;
  const subLoss = crossEntropy(subLogits as Tensor<string[]>, subTarget as Tensor<string[]>, kSub) as Tensor<[]>;
  const superLoss = crossEntropy(superLogits as Tensor<string[]>, superT as Tensor<string[]>, kSup) as Tensor<[]>;
  return { loss: add(subLoss, superLoss), subLoss, superLoss };
}

/* ------------------------------------------------------------------------ */
/* DistUnifTargSampler                                                       */
/* ------------------------------------------------------------------------ */

/** A sample of DeeperCluster's distributed uniform target sampler. */
export interface DistUnifTargSample {
  /** The epoch's indexes over all processes (length totalSize). */
  readonly epochIndexes: Int32Array;
  /** This rank's share: epochIndexes[rank :: replicas]. */
  readonly processIndexes: Int32Array;
}

/**
 * DeeperCluster's DistUnifTargSampler(totalSize, pseudoLabels, replicas, rank, seed):
 * for each pseudo-label present (ascending), totalSize // nLabels + 1 positions
 * drawn among that label's positions (with replacement when it has no more
 * than that many), concatenated, shuffled, cut to totalSize; then the rank's
 * share. The official sampler seeds numpy with `seed` (default 31; 3 in the
 * golden file): pass { numpySeed: seed } for bit-identical draws.
 */
export function distUnifTargSampler(totalSize: number, pseudoLabels: ArrayLike<number>, replicas: number, rank: number, source: SamplerSource): DistUnifTargSample {
  if (!Number.isInteger(replicas) || replicas < 1 || !Number.isInteger(rank) || rank < 0 || rank >= replicas) throw new RangeError(`distUnifTargSampler: rank ${rank} of ${replicas} replicas`);
  const labels = [...new Set(Array.from(pseudoLabels))].sort((a, b) => a - b);
  if (labels.length === 0) throw new RangeError('distUnifTargSampler: no pseudo-labels');
  const stream = streamOf(source);
  const perLabel = Math.floor(totalSize / labels.length) + 1;
  const draws = labels.flatMap((label) => {
    const positions: number[] = [];
    for (let i = 0; i < pseudoLabels.length; i++) if (pseudoLabels[i] === label) positions.push(i);
    return choice(stream, positions, perLabel, positions.length <= perLabel);
  });
  const epoch = shuffled(stream, draws).slice(0, totalSize);
  return {
    epochIndexes: Int32Array.from(epoch),
    processIndexes: Int32Array.from(epoch.filter((_, i) => i % replicas === rank)),
  };
}

/* ------------------------------------------------------------------------ */
/* Two-level clustering                                                      */
/* ------------------------------------------------------------------------ */

/** Options of the hierarchical clustering. */
export interface HierarchicalClusteringOptions {
  readonly superClusters: number;
  /** Total number of clusters k; each super-cluster gets k / superClusters sub-clusters. */
  readonly clusters: number;
  /** PCA-whitening dimension before clustering (omit to cluster the features as given). */
  readonly pcaDims?: number;
  /** Lloyd iterations per level (default 20). */
  readonly niter?: number;
}

/** Super-class and sub-class assignments. */
export interface HierarchicalClustering {
  readonly superCluster: Int32Array;
  readonly subCluster: Int32Array;
  readonly subClustersPerSuper: number;
  readonly level1: KMeansResult;
  /** The sub-clustering of each super-cluster (undefined when it has fewer points than sub-clusters). */
  readonly level2: readonly (KMeansResult | undefined)[];
}

/**
 * DeeperCluster's two-level clustering, from a key: k-means into
 * superClusters groups, then each group into k / superClusters sub-clusters
 * (a group with fewer points than that gives each point its own sub-cluster,
 * in order).
 */
export function hierarchicalClustering<A extends string, B extends string>(key: Key, features: NDArray<readonly [A, B]>, options: HierarchicalClusteringOptions): HierarchicalClustering {
  const { superClusters, clusters } = options;
  if (!Number.isInteger(superClusters) || superClusters < 1 || clusters % superClusters !== 0) throw new RangeError(`hierarchicalClustering: clusters (${clusters}) must be a multiple of superClusters (${superClusters})`);
  const perSuper = clusters / superClusters;
  const x = options.pcaDims === undefined ? features : pcaWhiten(features, { dims: options.pcaDims }).features;
  const [n, d] = [x.sizes[0]!, x.sizes[1]!];
  const [k1, ...k2] = split(key, superClusters + 1);
  const niter = options.niter ?? 20;
  const level1 = kmeans(k1!, x, { k: superClusters, niter });
  const subCluster = new Int32Array(n);
  const level2 = level1.imagesLists.map((members, s) => {
    if (members.length < perSuper || members.length === 0) {
      members.forEach((i, j) => (subCluster[i] = j));
      return undefined;
    }
    const data = new Float64Array(members.length * d);
    members.forEach((i, j) => data.set(x.data.subarray(i * d, (i + 1) * d), j * d));
    const sub = kmeans(k2[s]!, { axes: x.axes, sizes: [members.length, d], data }, { k: perSuper, niter });
    members.forEach((i, j) => (subCluster[i] = sub.assign[j]!));
    return sub;
  });
  return { superCluster: Int32Array.from(level1.assign), subCluster, subClustersPerSuper: perSuper, level1, level2 };
}

/** Integer labels as a [batch] tensor (for crossEntropy targets). */
export function labelTensor<B extends Axis>(labels: ArrayLike<number>, batch: B, name = 'labels'): Tensor<[B]> {
  return fromArray(Array.from(labels), [batch], [labels.length], { name }) as Tensor<[B]>;
}

/* ------------------------------------------------------------------------ */
/* One epoch's targets                                                       */
/* ------------------------------------------------------------------------ */

/** DeeperCluster's configuration: super-classes, sub-classes, rotations. */
export interface DeeperClusterConfig {
  /** Number of super-clusters (the official nmb_super_clusters). */
  readonly superClusters: number;
  /** Total number of clusters k. */
  readonly clusters: number;
  /** Predict the rotation with the super-class (super-classes = 4·super-clusters). */
  readonly rotnet: boolean;
  readonly pcaDims?: number;
  readonly niter?: number;
}

/** One DeeperCluster epoch: the hierarchical clustering and its targets. */
export interface DeeperClusterEpoch {
  readonly clustering: HierarchicalClustering;
  /** Quarter turns applied to each image this epoch (all 0 without rotnet). */
  readonly rotation: Int32Array;
  readonly targets: HierarchicalTargets;
  /** Output sizes of the two heads: sub-classes per super-cluster, super-classes. */
  readonly subClasses: number;
  readonly superClasses: number;
}

/**
 * A single-process DeeperCluster epoch: cluster hierarchically, draw a
 * rotation per image from the key (rotnet), and build both targets. The
 * images are to be rotated by `rotation` (see rotation.ts) before the forward pass.
 */
export function deeperClusterEpoch<A extends string, B extends string>(key: Key, features: NDArray<readonly [A, B]>, config: DeeperClusterConfig): DeeperClusterEpoch {
  const [kClusters, kRot] = split(key, 2) as [Key, Key];
  const clustering = hierarchicalClustering(kClusters, features, {
    superClusters: config.superClusters,
    clusters: config.clusters,
    ...(config.pcaDims === undefined ? {} : { pcaDims: config.pcaDims }),
    ...(config.niter === undefined ? {} : { niter: config.niter }),
  });
  const n = features.sizes[0]!;
  const rotation = new Int32Array(n);
  if (config.rotnet) {
    const stream = streamOf(kRot);
    for (let i = 0; i < n; i++) rotation[i] = stream.next() & 3;
  }
  const targets = hierarchicalTargets(clustering.superCluster, clustering.subCluster, config.rotnet ? rotation : undefined);
  return {
    clustering,
    rotation,
    targets,
    subClasses: clustering.subClustersPerSuper,
    superClasses: config.rotnet ? 4 * config.superClusters : config.superClusters,
  };
}
