/**
 * The in-memory image dataset every loader returns: n images of one size with
 * C channels (1 for grayscale, 3 for RGB), each laid out [C, H, W] as PyTorch
 * does, in one Float32Array with values in [0, 1], and their labels.
 * Datasets are plain immutable values; `subset` and `firstPerClass` make new ones.
 */
import { permutation } from './permutation.js';
import { foldIn, type Key } from '../runtime/prng.js';

export interface Dataset {
  readonly name: string;
  readonly split: 'train' | 'test';
  readonly n: number;
  readonly height: number;
  readonly width: number;
  /** Channels per image: 1 (grayscale, the default when absent) or 3 (RGB). */
  readonly channels?: number;
  readonly numClasses: number;
  /** n·channels·height·width values, row-major (image, channel, row, column), each in [0, 1]. */
  readonly images: Float32Array;
  /** n labels in [0, numClasses). */
  readonly labels: Uint8Array;
}

export type Split = Dataset['split'];

/** A dataset's channels per image (1 where the field is absent). */
export function channelsOf(ds: Pick<Dataset, 'channels'>): number {
  return ds.channels ?? 1;
}

/** Values per image: channels · height · width. */
export function imageSize(ds: Pick<Dataset, 'channels' | 'height' | 'width'>): number {
  return channelsOf(ds) * ds.height * ds.width;
}

/** Check a dataset's invariants (sizes, label range); returns it frozen. Messages name the dataset. */
export function makeDataset(ds: Dataset): Dataset {
  const what = `${ds.name} (${ds.split})`;
  for (const [k, v] of [['n', ds.n], ['height', ds.height], ['width', ds.width], ['numClasses', ds.numClasses]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what}: ${k} must be a non-negative integer, got ${v}`);
  }
  if (ds.numClasses > 256) throw new RangeError(`${what}: numClasses ${ds.numClasses} does not fit the Uint8Array labels`);
  const c = channelsOf(ds);
  if (!Number.isSafeInteger(c) || c < 1) throw new RangeError(`${what}: channels must be a positive integer, got ${c}`);
  const pixels = ds.n * imageSize(ds);
  if (ds.images.length !== pixels) {
    const size = c === 1 ? `${ds.height}x${ds.width}` : `${c}x${ds.height}x${ds.width}`;
    throw new RangeError(`${what}: ${ds.n} images of ${size} need ${pixels} pixel values, found ${ds.images.length}`);
  }
  if (ds.labels.length !== ds.n) throw new RangeError(`${what}: ${ds.n} images need ${ds.n} labels, found ${ds.labels.length}`);
  const bad = ds.labels.findIndex((l) => l >= ds.numClasses);
  if (bad >= 0) throw new RangeError(`${what}: label ${ds.labels[bad]} of image ${bad} is not in [0, ${ds.numClasses})`);
  return Object.freeze({ ...ds, channels: c });
}

function checkIndex(ds: Dataset, i: number, fn: string): number {
  if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`${fn}: index ${i} is outside [0, ${ds.n}) of ${ds.name} (${ds.split})`);
  return i;
}

/** The images and labels at `indices`, in that order (repeats allowed). */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const hw = imageSize(ds);
  const images = new Float32Array(indices.length * hw);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = checkIndex(ds, indices[k]!, 'subset');
    images.set(ds.images.subarray(i * hw, (i + 1) * hw), k * hw);
    labels[k] = ds.labels[i]!;
  }
  return makeDataset({ ...ds, n: indices.length, images, labels });
}

/** Indices of each class, in dataset order. */
export function indicesByClass(ds: Dataset): number[][] {
  const out = Array.from({ length: ds.numClasses }, (): number[] => []);
  ds.labels.forEach((l, i) => out[l]!.push(i));
  return out;
}

/**
 * `perClass` indices of every class, class-major (class 0's first). Without a
 * key, the first ones in dataset order; with a key, class c's are the first
 * `perClass` of a Fisher–Yates permutation of its indices drawn from
 * foldIn(key, c) (so each class's choice depends only on the key and c).
 */
export function perClassIndices(ds: Dataset, perClass: number, key?: Key): number[] {
  if (!Number.isSafeInteger(perClass) || perClass < 0) throw new RangeError(`perClassIndices: perClass must be a non-negative integer, got ${perClass}`);
  return indicesByClass(ds).flatMap((idx, c) => {
    if (idx.length < perClass) {
      throw new RangeError(`perClassIndices: ${ds.name} (${ds.split}) has ${idx.length} images of class ${c}, fewer than the ${perClass} asked for`);
    }
    if (key === undefined) return idx.slice(0, perClass);
    const order = permutation(foldIn(key, c), idx.length);
    return Array.from(order.subarray(0, perClass), (j) => idx[j]!);
  });
}

/**
 * A labelled subset with `perClass` images of every class, class-major (PAWS'
 * labelled support set): the first ones of each class, or, with a key, a
 * random choice per class (see perClassIndices).
 */
export function firstPerClass(ds: Dataset, perClass: number, key?: Key): Dataset {
  return subset(ds, perClassIndices(ds, perClass, key));
}

/** Images per class. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  ds.labels.forEach((l) => (counts[l] = counts[l]! + 1));
  return counts;
}
