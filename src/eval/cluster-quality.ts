/**
 * How well features cluster by class: k-means (k = the number of classes, on
 * L2-normalised rows, the geometry k-NN uses) of the test features, scored
 * against the labels by normalised mutual information and adjusted Rand index.
 */
import type { Key } from '../runtime/prng.js';
import { kmeans } from '../ssl/kmeans.js';
import { adjustedRand, normalizedMutualInfo } from './clustering.js';
import { featureShape, type FeatureSet } from './features.js';

/** k-means settings of `clusterQuality`: the key and the number of clusters. */
export interface ClusterQualityOptions {
  readonly key: Key;
  /** Clusters (default: the number of classes among the labels). */
  readonly k?: number;
  /** Lloyd iterations (default 20). */
  readonly niter?: number;
  /** Independent k-means runs, the lowest objective kept (default 3: one run lands in a poor local optimum often enough to move NMI by tenths). */
  readonly restarts?: number;
}

/** Clustering scores against the labels: NMI and adjusted Rand index. */
export interface ClusterQuality {
  readonly nmi: number;
  readonly ari: number;
  readonly assign: Int32Array;
}

/** k-means on the features, compared with the labels: NMI and adjusted Rand index. */
export function clusterQuality(set: FeatureSet, options: ClusterQualityOptions): ClusterQuality {
  const { n, d } = featureShape(set, 'test', 'clusterQuality');
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += set.features[i * d + j]! ** 2;
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < d; j++) data[i * d + j] = set.features[i * d + j]! * scale;
  }
  const k = options.k ?? new Set(set.labels).size;
  const result = kmeans(options.key, { axes: ['N', 'D'], sizes: [n, d], data }, { k, niter: options.niter ?? 20, restarts: options.restarts ?? 3 });
  const assign = Int32Array.from(result.assign);
  return { nmi: normalizedMutualInfo(assign, set.labels), ari: adjustedRand(assign, set.labels), assign };
}
