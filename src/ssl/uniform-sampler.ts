/**
 * DeepCluster's uniform sampling over pseudo-labels (`UnifLabelSampler`) and
 * the dataset it indexes (`cluster_assign` / `ReassignedDataset`), as pure
 * functions of their inputs and an explicit source of randomness.
 *
 * Two sources are offered:
 * - a shapegrad {@link Key} (the default for users: counter-based Threefry
 *   bits, so the same key always gives the same epoch);
 * - `{ numpySeed: S }`: numpy's legacy global `RandomState` right after
 *   `np.random.seed(S)` (MT19937 with numpy's `choice`/`shuffle` algorithms),
 *   which reproduces the official code's draws bit for bit.
 *
 * Either way a fresh generator is built inside each call, so nothing is shared
 * between calls and the functions stay pure.
 */
import { bitsAt, type Key } from '../runtime/prng.js';

/* ------------------------------------------------------------------------ */
/* Random sources                                                            */
/* ------------------------------------------------------------------------ */

/** numpy's legacy global RandomState seeded with `np.random.seed(numpySeed)`. */
export interface NumpySeed {
  readonly numpySeed: number;
}

/** Where the randomness of a sampler comes from. */
export type SamplerSource = Key | NumpySeed;

/** A stream of uint32 words (internal; built fresh for each call). */
export interface WordStream {
  /** The next 32-bit word. */
  next(): number;
}

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

/**
 * The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998) as seeded by
 * numpy's `RandomState.seed(int)` and by C++'s `std::mt19937(seed)`:
 * mt[0] = seed, mt[i] = 1812433253·(mt[i-1] ⊕ (mt[i-1] >> 30)) + i (mod 2^32).
 */
export class Mt19937 implements WordStream {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`Mt19937: seed must be an integer in [0, 2^32), got ${seed}`);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]!;
      const x = (prev ^ (prev >>> 30)) >>> 0;
      // 1812433253 * x mod 2^32 without losing bits: split the multiplier.
      this.mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = ((mt[i]! & UPPER) | (mt[(i + 1) % N]! & LOWER)) >>> 0;
      let v = (mt[(i + M) % N]! ^ (y >>> 1)) >>> 0;
      if (y & 1) v = (v ^ MATRIX_A) >>> 0;
      mt[i] = v;
    }
    this.index = 0;
  }

  /** The next tempered 32-bit word (genrand_int32). */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** The key's bit stream bitsAt(key, 0), bitsAt(key, 1), ... */
export function keyStream(key: Key): WordStream {
  let i = 0;
  return { next: () => bitsAt(key, i++) };
}

/** Whether a sampler's source is a NumPy seed (to replay the reference's draws) rather than a key. */
export function isNumpySeed(source: SamplerSource): source is NumpySeed {
  return typeof source === 'object' && source !== null && !Array.isArray(source) && 'numpySeed' in source;
}

/** A fresh word stream for a source. */
export function streamOf(source: SamplerSource): WordStream {
  return isNumpySeed(source) ? new Mt19937(source.numpySeed) : keyStream(source as Key);
}

/**
 * A uniform integer in [0, max] by masked rejection, as numpy's legacy
 * `random_interval` and `randint` (masked path) do for max < 2^32: draw a
 * word, keep its low bits up to the smallest mask ≥ max, retry while > max.
 * max = 0 consumes nothing.
 */
export function uniformInterval(stream: WordStream, max: number): number {
  if (max === 0) return 0;
  if (!Number.isInteger(max) || max < 0 || max > 0xfffffffe) throw new RangeError(`uniformInterval: max must be an integer in [0, 2^32 - 1), got ${max}`);
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  for (;;) {
    const v = (stream.next() & mask) >>> 0;
    if (v <= max) return v;
  }
}

/** numpy's legacy in-place Fisher–Yates (`shuffle`), on a copy: for i = n-1..1 swap i with interval(i). */
export function shuffled<T>(stream: WordStream, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i >= 1; i--) {
    const j = uniformInterval(stream, i);
    const t = out[j]!;
    out[j] = out[i]!;
    out[i] = t;
  }
  return out;
}

/** numpy's legacy `permutation(n)`: shuffle of 0..n-1. */
export function permutation(stream: WordStream, n: number): number[] {
  return shuffled(
    stream,
    Array.from({ length: n }, (_, i) => i),
  );
}

/**
 * numpy's legacy `choice(population, size, replace)` without weights: with
 * replacement, `size` draws of interval(len - 1) (randint); without, the first
 * `size` entries of permutation(len).
 */
export function choice(stream: WordStream, population: readonly number[], size: number, replace: boolean): number[] {
  const n = population.length;
  if (n === 0 && size > 0) throw new RangeError('choice: cannot draw from an empty population');
  if (replace) return Array.from({ length: size }, () => population[uniformInterval(stream, n - 1)]!);
  if (size > n) throw new RangeError(`choice: cannot take ${size} items from ${n} without replacement`);
  return permutation(stream, n)
    .slice(0, size)
    .map((i) => population[i]!);
}

/* ------------------------------------------------------------------------ */
/* Cluster lists                                                             */
/* ------------------------------------------------------------------------ */

/** images_lists: for each cluster, the image indexes assigned to it (ascending). */
export type ImagesLists = readonly (readonly number[])[];

/** Cluster lists from per-image labels: cluster j lists the images labelled j, ascending. */
export function imagesListsOf(labels: ArrayLike<number>, k: number): number[][] {
  const lists: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`imagesListsOf: label ${c} of image ${i} is outside [0, ${k})`);
    lists[c]!.push(i);
  }
  return lists;
}

/** Lists from their concatenation and sizes (the golden files' `images_lists_flat` + `images_lists_sizes`). */
export function unflattenLists(flat: ArrayLike<number>, sizes: ArrayLike<number>): number[][] {
  const lists: number[][] = [];
  let at = 0;
  for (let c = 0; c < sizes.length; c++) {
    const n = sizes[c]!;
    lists.push(Array.from({ length: n }, (_, i) => flat[at + i]!));
    at += n;
  }
  if (at !== flat.length) throw new RangeError(`unflattenLists: sizes add up to ${at} but ${flat.length} indexes were given`);
  return lists;
}

/** DeepCluster's arrange_clustering: the cluster (uncompacted) of each image, in image order. */
export function arrangeClustering(lists: ImagesLists): Int32Array {
  const n = lists.reduce((s, l) => s + l.length, 0);
  const out = new Int32Array(n).fill(-1);
  lists.forEach((list, c) => {
    for (const i of list) {
      if (i < 0 || i >= n || out[i] !== -1) throw new RangeError(`arrangeClustering: image ${i} is out of range or listed twice`);
      out[i] = c;
    }
  });
  return out;
}

/** The dataset `cluster_assign` builds: position p holds an image and its (compacted) pseudo-label. */
export interface ReassignedDataset {
  /** Image id at each position: images_lists[0] ++ images_lists[1] ++ … */
  readonly imageIndex: Int32Array;
  /** Pseudo-label at each position: the cluster id compacted over non-empty clusters, ascending. */
  readonly pseudolabel: Int32Array;
  /** Number of distinct pseudo-labels (non-empty clusters): the classifier's output size. */
  readonly classes: number;
}

/** DeepCluster's cluster_assign / ReassignedDataset (labels compacted over non-empty clusters). */
export function clusterAssign(lists: ImagesLists): ReassignedDataset {
  const imageIndex: number[] = [];
  const pseudolabel: number[] = [];
  let label = 0;
  for (const list of lists) {
    if (list.length === 0) continue;
    for (const i of list) {
      imageIndex.push(i);
      pseudolabel.push(label);
    }
    label += 1;
  }
  return { imageIndex: Int32Array.from(imageIndex), pseudolabel: Int32Array.from(pseudolabel), classes: label };
}

/* ------------------------------------------------------------------------ */
/* UnifLabelSampler                                                          */
/* ------------------------------------------------------------------------ */

/** A sample of the uniform image sampler. */
export interface UnifSample {
  /** The sampler's list of length n (the values the DataLoader receives). */
  readonly indexes: Int32Array;
  /** Draws per non-empty cluster, concatenated in cluster order (length sizePerLabel·nonEmpty). */
  readonly draws: Int32Array;
  /** The shuffle: indexes[i] = draws[permutation[i]] for i < n. */
  readonly permutation: Int32Array;
  /** int(n / nonEmpty) + 1. */
  readonly sizePerLabel: number;
  /** Whether each non-empty cluster was sampled with replacement. */
  readonly replace: readonly boolean[];
}

/**
 * DeepCluster's UnifLabelSampler(n, images_lists).generate_indexes_epoch():
 * every non-empty cluster contributes sizePerLabel = int(n / nonEmpty) + 1
 * images (with replacement when it has at most that many), the concatenation
 * is shuffled and cut to n.
 */
export function unifLabelSampler(n: number, lists: ImagesLists, source: SamplerSource): UnifSample {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`unifLabelSampler: n must be a non-negative integer, got ${n}`);
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) throw new RangeError('unifLabelSampler: every cluster is empty');
  const stream = streamOf(source);
  const sizePerLabel = Math.trunc(n / nonEmpty.length) + 1;
  const replace = nonEmpty.map((l) => l.length <= sizePerLabel);
  const draws = nonEmpty.flatMap((l, i) => choice(stream, l, sizePerLabel, replace[i]!));
  const perm = permutation(stream, draws.length);
  let indexes = perm.map((p) => draws[p]!);
  // Never taken (sizePerLabel·nonEmpty > n), kept for parity with the official code.
  if (indexes.length < n) indexes = [...indexes, ...indexes.slice(0, n - indexes.length)];
  return {
    indexes: Int32Array.from(indexes.slice(0, n)),
    draws: Int32Array.from(draws),
    permutation: Int32Array.from(perm),
    sizePerLabel,
    replace,
  };
}

/** What the DataLoader yields for each sampler index. */
export interface LoadedItems {
  readonly imageIndex: Int32Array;
  readonly pseudolabel: Int32Array;
}

/**
 * The items the official training loop actually loads: the sampler yields
 * original image ids, but the ReassignedDataset is indexed by position, so
 * sampler value i loads position i of the reassigned list (README §7.3).
 */
export function loadedItems(dataset: ReassignedDataset, indexes: ArrayLike<number>): LoadedItems {
  const n = dataset.imageIndex.length;
  const imageIndex = new Int32Array(indexes.length);
  const pseudolabel = new Int32Array(indexes.length);
  for (let i = 0; i < indexes.length; i++) {
    const p = indexes[i]!;
    if (p < 0 || p >= n) throw new RangeError(`loadedItems: index ${p} is outside the reassigned dataset of ${n} items`);
    imageIndex[i] = dataset.imageIndex[p]!;
    pseudolabel[i] = dataset.pseudolabel[p]!;
  }
  return { imageIndex, pseudolabel };
}

/**
 * The items a sampler index would load if it were looked up by image id
 * (what the sampler's design intends; differs from {@link loadedItems}, which
 * is what the official code does).
 */
export function itemsByImageId(dataset: ReassignedDataset, indexes: ArrayLike<number>): LoadedItems {
  const labelOf = new Map<number, number>();
  dataset.imageIndex.forEach((img, p) => labelOf.set(img, dataset.pseudolabel[p]!));
  const imageIndex = Int32Array.from(indexes);
  const pseudolabel = imageIndex.map((img) => {
    const l = labelOf.get(img);
    if (l === undefined) throw new RangeError(`itemsByImageId: image ${img} is in no cluster`);
    return l;
  });
  return { imageIndex, pseudolabel };
}
