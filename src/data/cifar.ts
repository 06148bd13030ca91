/**
 * CIFAR-10/100 from the official binary files in a folder (Node only;
 * cifarFromBytes in cifar-format.ts parses the same bytes anywhere). Nothing
 * is downloaded: `root` is the unpacked cifar-10-batches-bin/ or
 * cifar-100-binary/ folder (the CLI's --data-root).
 */
import { join } from 'node:path';
import type { Dataset, Split } from './dataset.js';
import { readBytes, requireFolder } from './files.js';
import { CIFAR_FILES, CifarError, cifarFromBytes, type CifarKind, type CifarOptions } from './cifar-format.js';

/** Read and parse a CIFAR split from `root`, which holds the standard file names (CIFAR_FILES). */
export function loadCifar(kind: CifarKind, split: Split, root: string, options: CifarOptions = {}): Dataset {
  if (kind !== 'cifar10' && kind !== 'cifar100') throw new RangeError(`loadCifar: kind must be 'cifar10' or 'cifar100', got ${String(kind)}`);
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadCifar: split must be 'train' or 'test', got ${String(split)}`);
  const folder = requireFolder('loadCifar', root, `the ${kind} data root`);
  const files = CIFAR_FILES[kind][split].map((f) => {
    const name = join(folder, f);
    try {
      return { name, bytes: readBytes(name, '') };
    } catch (e) {
      throw new CifarError(name, `${(e as Error).message.slice(name.length + 2)} (a ${kind} ${split} folder holds ${CIFAR_FILES[kind][split].join(', ')})`);
    }
  });
  return cifarFromBytes(kind, split, files, options);
}
