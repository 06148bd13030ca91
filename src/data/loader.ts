/**
 * Mini-batches: each epoch is a permutation of 0..n-1 drawn from an explicit
 * key (Fisher–Yates, see permutation.ts), cut into fixed-size batches. Epoch e
 * uses foldIn(key, e), so any epoch can be regenerated on its own (resuming a
 * run needs only the key and the epoch number).
 */
import { foldIn, type Key } from '../runtime/prng.js';
import { imageSize, type Dataset } from './dataset.js';
import { permutation } from './permutation.js';

/** Batching: the batch size, the key that shuffles, and whether the last short batch is kept. */
export interface BatchOptions {
  readonly batchSize: number;
  readonly key: Key;
  /** Which epoch (default 0): its permutation is drawn from foldIn(key, epoch). */
  readonly epoch?: number;
  /** Drop the last batch when it would be smaller than batchSize (default true, so every batch has one shape). */
  readonly dropLast?: boolean;
}

function checkBatch(n: number, options: BatchOptions): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`batches: n must be a non-negative integer, got ${n}`);
  const { batchSize, epoch = 0 } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw new RangeError(`batches: epoch must be an integer in [0, 2^32), got ${epoch}`);
}

/** Batches in one epoch of n items. */
export function batchesPerEpoch(n: number, batchSize: number, dropLast = true): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** The permutation of epoch `epoch` (what `batches` cuts up). */
export function epochPermutation(n: number, key: Key, epoch = 0): Uint32Array {
  return permutation(foldIn(key, epoch), n);
}

/** Index arrays of one shuffled epoch: each index appears once (once in the kept batches with dropLast). */
export function batches(n: number, options: BatchOptions): Generator<Uint32Array, void, undefined> {
  checkBatch(n, options); // eagerly, so a bad argument fails at the call, not at the first next()
  const { batchSize, key, epoch = 0, dropLast = true } = options;
  const order = epochPermutation(n, key, epoch);
  const count = batchesPerEpoch(n, batchSize, dropLast);
  return (function* () {
    for (let b = 0; b < count; b++) yield order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
  })();
}

/** The images at `indices`, stacked: indices.length·channels·height·width values (a [B, H, W] batch, [B, C, H, W] in colour). */
export function gatherImages(ds: Dataset, indices: ArrayLike<number>): Float32Array {
  const hw = imageSize(ds);
  const out = new Float32Array(indices.length * hw);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`gatherImages: index ${i} is outside [0, ${ds.n}) of ${ds.name} (${ds.split})`);
    out.set(ds.images.subarray(i * hw, (i + 1) * hw), k * hw);
  }
  return out;
}

/** The labels at `indices`. */
export function gatherLabels(ds: Dataset, indices: ArrayLike<number>): Uint8Array {
  return Uint8Array.from({ length: indices.length }, (_, k) => {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`gatherLabels: index ${i} is outside [0, ${ds.n}) of ${ds.name} (${ds.split})`);
    return ds.labels[i]!;
  });
}
