/**
 * Lloyd's k-means as faiss.Clustering trains it (DeepCluster's run_kmeans),
 * a float64 numerical routine on values, outside the graph.
 *
 * One iteration (README §7.2):
 *   assign[i] = argmin_j ‖x_i - c_j‖²          (ties → lowest j)
 *   obj       = Σ_i min_j ‖x_i - c_j‖²        (before the update)
 *   c_j       = mean of the points assigned to j
 *   empty clusters are re-seeded by faiss' split_clusters (below)
 * and after the last iteration the points are assigned once more to the final
 * centroids (what run_kmeans returns).
 *
 * Empty clusters, as faiss (Clustering.cpp, split_clusters): for each empty
 * cluster ci in order, walk cj = 0, 1, 2, … (cyclically) drawing r from a
 * std::mt19937 seeded with 1234 at every call, r = float(word) / float(2^32 - 1),
 * and stop at the first cj with r < p = (count[cj] - 1) / (n - k) (float32);
 * then c_ci = c_cj, and both are perturbed symmetrically by EPS = 1/1024
 * (even coordinates: c_ci·(1+EPS), c_cj·(1-EPS); odd ones the other way round),
 * and the count is split: count[ci] = count[cj]/2, count[cj] -= count[ci].
 * (The golden cases have no empty cluster; this path is tested for its
 * invariants only.)
 */
import type { NDArray } from '../runtime/ndarray.js';
import { split, uniform, type Key } from '../runtime/prng.js';
import { Mt19937, imagesListsOf } from './uniform-sampler.js';

/** k-means assignments, distances and objective. */
export interface Assignment {
  /** Nearest centroid of each point (ties → lowest index). */
  readonly assign: Int32Array;
  /** Its squared distance. */
  readonly distance: Float64Array;
  /** Σ distance. */
  readonly objective: number;
}

function matrixOf(x: NDArray, what: string): { n: number; d: number } {
  if (x.sizes.length !== 2) throw new RangeError(`${what}: expected a matrix [points, dims], got axes [${x.axes.join(', ')}]`);
  return { n: x.sizes[0]!, d: x.sizes[1]! };
}

/** Assign each row of x [N, d] to its nearest centroid of c [k, d] by squared L2 distance. */
export function assignNearest(x: NDArray, centroids: NDArray): Assignment {
  const { n, d } = matrixOf(x, 'assignNearest');
  const { n: k, d: dc } = matrixOf(centroids, 'assignNearest (centroids)');
  if (dc !== d) throw new RangeError(`assignNearest: points have ${d} dimensions, centroids ${dc}`);
  if (k < 1) throw new RangeError('assignNearest: needs at least one centroid');
  const assign = new Int32Array(n);
  const distance = new Float64Array(n);
  let objective = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x.data[i * d + t]! - centroids.data[j * d + t]!;
        s += diff * diff;
      }
      if (s < best) {
        best = s;
        arg = j;
      }
    }
    assign[i] = arg;
    distance[i] = best;
    objective += best;
  }
  return { assign, distance, objective };
}

/** Σ_i ‖x_i - c_{assign[i]}‖²: the within-cluster sum of squares of an assignment. */
export function withinClusterSS(x: NDArray, centroids: NDArray, assign: ArrayLike<number>): number {
  const { n, d } = matrixOf(x, 'withinClusterSS');
  let s = 0;
  for (let i = 0; i < n; i++) {
    const j = assign[i]!;
    for (let t = 0; t < d; t++) {
      const diff = x.data[i * d + t]! - centroids.data[j * d + t]!;
      s += diff * diff;
    }
  }
  return s;
}

/** The mean of the points of each cluster (0 for an empty one) and the counts. */
export function clusterMeans(x: NDArray, assign: ArrayLike<number>, k: number): { centroids: Float64Array; counts: Float64Array } {
  const { n, d } = matrixOf(x, 'clusterMeans');
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const j = assign[i]!;
    counts[j] = counts[j]! + 1;
    for (let t = 0; t < d; t++) sums[j * d + t] = sums[j * d + t]! + x.data[i * d + t]!;
  }
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) continue;
    for (let t = 0; t < d; t++) sums[j * d + t] = sums[j * d + t]! / counts[j]!;
  }
  return { centroids: sums, counts };
}

const SPLIT_EPS = 1 / 1024;
const FLOAT_MAX_UINT32 = Math.fround(0xffffffff);

/**
 * faiss' split_clusters on (centroids, counts), both copied: returns the new
 * centroids, counts and the number of clusters split. Deterministic (faiss
 * seeds its generator with 1234 at every call).
 */
export function splitEmptyClusters(centroids: Float64Array, counts: Float64Array, k: number, d: number, n: number): { centroids: Float64Array; counts: Float64Array; splits: number } {
  const c = Float64Array.from(centroids);
  const h = Float64Array.from(counts);
  let splits = 0;
  if (!h.some((v) => v === 0)) return { centroids: c, counts: h, splits };
  if (n <= k) throw new RangeError(`splitEmptyClusters: needs more points (${n}) than clusters (${k})`);
  const rng = new Mt19937(1234);
  for (let ci = 0; ci < k; ci++) {
    if (h[ci] !== 0) continue;
    let cj = 0;
    for (;; cj = (cj + 1) % k) {
      const p = Math.fround((h[cj]! - 1) / Math.fround(n - k));
      const r = Math.fround(Math.fround(rng.next()) / FLOAT_MAX_UINT32);
      if (r < p) break;
    }
    for (let t = 0; t < d; t++) c[ci * d + t] = c[cj * d + t]!;
    for (let t = 0; t < d; t++) {
      const up = t % 2 === 0;
      c[ci * d + t] = c[ci * d + t]! * (up ? 1 + SPLIT_EPS : 1 - SPLIT_EPS);
      c[cj * d + t] = c[cj * d + t]! * (up ? 1 - SPLIT_EPS : 1 + SPLIT_EPS);
    }
    h[ci] = Math.fround(h[cj]! / 2);
    h[cj] = Math.fround(h[cj]! - h[ci]!);
    splits += 1;
  }
  return { centroids: c, counts: h, splits };
}

/** One Lloyd iteration's result. */
export interface KMeansStep<S extends readonly string[] = readonly string[]> {
  /** The assignment to the centroids the step started from. */
  readonly assign: Int32Array;
  /** Σ min_j ‖x_i - c_j‖² at that assignment (faiss' per-iteration objective). */
  readonly objective: number;
  /** The centroids after the update (and after splitting empty clusters). */
  readonly centroids: NDArray<S>;
  /** Number of empty clusters that were re-seeded. */
  readonly splits: number;
}

/** One Lloyd iteration from the given centroids [k, d]. */
export function kmeansStep<S extends readonly string[]>(x: NDArray, centroids: NDArray<S>): KMeansStep<S> {
  const { n, d } = matrixOf(x, 'kmeansStep');
  const k = centroids.sizes[0]!;
  const a = assignNearest(x, centroids);
  const means = clusterMeans(x, a.assign, k);
  const split = splitEmptyClusters(means.centroids, means.counts, k, d, n);
  return { assign: a.assign, objective: a.objective, centroids: { axes: centroids.axes, sizes: [k, d], data: split.centroids }, splits: split.splits };
}

/** Options of Lloyd's iterations. */
export interface LloydOptions {
  /** Iterations (DeepCluster: 20). */
  readonly niter: number;
}

/** k-means centroids, assignments and loss. */
export interface KMeansResult<S extends readonly string[] = readonly string[]> {
  /** Every iteration: its assignment, objective, and centroids after the update. */
  readonly iterations: readonly KMeansStep<S>[];
  /** Objective per iteration. */
  readonly objectives: Float64Array;
  readonly centroids: NDArray<S>;
  /** Assignment to the final centroids. */
  readonly assign: Int32Array;
  /** The final assignment's objective. */
  readonly objective: number;
  /** DeepCluster's images_lists: cluster j lists its points, ascending. */
  readonly imagesLists: number[][];
}

/**
 * faiss.Clustering(d, k).train(x) with niter iterations from given initial
 * centroids [k, d], followed by the final assignment (run_kmeans). With as
 * many points as clusters, faiss copies the points; so do we.
 */
export function lloyd<S extends readonly string[]>(x: NDArray, init: NDArray<S>, options: LloydOptions): KMeansResult<S> {
  const { n, d } = matrixOf(x, 'lloyd');
  const { n: k, d: dc } = matrixOf(init, 'lloyd (initial centroids)');
  if (dc !== d) throw new RangeError(`lloyd: points have ${d} dimensions, initial centroids ${dc}`);
  if (k < 1 || n < k) throw new RangeError(`lloyd: needs at least as many points (${n}) as clusters (${k}), and one cluster`);
  if (!Number.isInteger(options.niter) || options.niter < 0) throw new RangeError(`lloyd: niter must be a non-negative integer, got ${options.niter}`);
  let centroids: NDArray<S> = { axes: init.axes, sizes: [k, d], data: Float64Array.from(init.data) };
  const iterations: KMeansStep<S>[] = [];
  if (n === k) {
    centroids = { axes: init.axes, sizes: [k, d], data: Float64Array.from(x.data) };
  } else {
    for (let it = 0; it < options.niter; it++) {
      const step = kmeansStep(x, centroids);
      iterations.push(step);
      centroids = step.centroids;
    }
  }
  const final = assignNearest(x, centroids);
  return {
    iterations,
    objectives: Float64Array.from(iterations, (s) => s.objective),
    centroids,
    assign: final.assign,
    objective: final.objective,
    imagesLists: imagesListsOf(final.assign, k),
  };
}

/**
 * k distinct rows of x chosen from a key (a keyed stand-in for faiss' seeded
 * init, which picks k random training points): the first k of a random
 * permutation of the rows, the permutation ordered by uniform draws.
 */
export function kmeansInit<A extends string, B extends string>(key: Key, x: NDArray<readonly [A, B]>, k: number): { centroids: NDArray<readonly [A, B]>; indexes: Int32Array } {
  const { n, d } = matrixOf(x, 'kmeansInit');
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kmeansInit: k must be an integer in [1, ${n}], got ${k}`);
  const u = uniform(key, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => u[i]! - u[j]! || i - j);
  const indexes = Int32Array.from(order.slice(0, k));
  const data = new Float64Array(k * d);
  indexes.forEach((row, j) => data.set(x.data.subarray(row * d, (row + 1) * d), j * d));
  return { centroids: { axes: x.axes, sizes: [k, d], data }, indexes };
}

/** k-means settings: clusters, iterations, key. */
export interface KMeansOptions {
  readonly k: number;
  /** Iterations (default 20, as DeepCluster). */
  readonly niter?: number;
  /** Independent restarts, the best final objective kept (faiss nredo; default 1). */
  readonly restarts?: number;
}

/** k-means from a keyed random init: kmeansInit then lloyd (best of `restarts`). */
export function kmeans<A extends string, B extends string>(key: Key, x: NDArray<readonly [A, B]>, options: KMeansOptions): KMeansResult<readonly [A, B]> & { readonly initIndexes: Int32Array } {
  const restarts = options.restarts ?? 1;
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`kmeans: restarts must be a positive integer, got ${restarts}`);
  const keys = restarts === 1 ? [key] : split(key, restarts);
  let best: (KMeansResult<readonly [A, B]> & { readonly initIndexes: Int32Array }) | undefined;
  for (const k of keys) {
    const init = kmeansInit(k, x, options.k);
    const result = { ...lloyd(x, init.centroids, { niter: options.niter ?? 20 }), initIndexes: init.indexes };
    if (best === undefined || result.objective < best.objective) best = result;
  }
  return best!;
}
