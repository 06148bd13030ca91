/**
 * MNIST from the bytes of its IDX files (LeCun's distribution format): any
 * number of 28×28 images with labels 0..9, pixels scaled from 0..255 to [0, 1].
 * Runs anywhere (a page can fetch the files); mnist.ts reads them in Node.
 */
import { makeDataset, type Dataset, type Split } from './dataset.js';
import { parseIdx } from './idx.js';
import { bytesToUnit } from './pixels.js';

/** The file names of each split in LeCun's distribution, and their image counts. */
export const MNIST_FILES: Readonly<Record<Split, { readonly images: string; readonly labels: string; readonly n: number }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', n: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', n: 10000 },
};

export interface MnistBytes {
  /** An IDX file of ubyte images [n, 28, 28]. */
  readonly images: Uint8Array;
  /** An IDX file of n ubyte labels 0..9. */
  readonly labels: Uint8Array;
  /** Names for the two files in error messages (default: MNIST_FILES of the split). */
  readonly names?: { readonly images: string; readonly labels: string };
  /** The number of images the files must hold (default: any, the same in both). */
  readonly n?: number;
}

/** An MNIST split from the bytes of its two IDX files (images and labels), pixels scaled to [0, 1]. */
export function mnistFromIdx(split: Split, files: MnistBytes): Dataset {
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const names = files.names ?? MNIST_FILES[split];
  const images = parseIdx(files.images, names.images, { type: 'ubyte', dims: [files.n ?? null, 28, 28] });
  const n = images.dims[0]!;
  const labels = parseIdx(files.labels, names.labels, { type: 'ubyte', dims: [n] });
  const raw = labels.data as Uint8Array;
  const bad = raw.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`loadMnist: ${names.labels}: label ${raw[bad]} of item ${bad} is not a digit 0..9`);
  return makeDataset({
    name: 'mnist',
    split,
    n,
    height: 28,
    width: 28,
    numClasses: 10,
    images: bytesToUnit(images.data as Uint8Array),
    labels: Uint8Array.from(raw),
  });
}
