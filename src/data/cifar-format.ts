/**
 * The CIFAR-10 and CIFAR-100 binary format (Krizhevsky's "binary version"),
 * parsed from bytes so a page can fetch the files. Each file is a run of
 * fixed-size records with no header:
 *
 *   CIFAR-10:   1 label byte (0..9),                    then 3072 pixel bytes
 *   CIFAR-100:  1 coarse label (0..19), 1 fine (0..99), then 3072 pixel bytes
 *
 * The 3072 bytes are the 32×32 red plane, then green, then blue, each
 * row-major: already the [C, H, W] layout of a Dataset. Errors name the file
 * and say what is wrong (empty, a partial last record, a label out of range).
 */
import { makeDataset, type Dataset, type Split } from './dataset.js';
import { bytesToUnit } from './pixels.js';

/** Which CIFAR: 10 classes, or 100 with fine and coarse labels. */
export type CifarKind = 'cifar10' | 'cifar100';

/** Which CIFAR-100 label a dataset carries: the 100 fine classes (default) or the 20 superclasses. */
export type CifarLabels = 'fine' | 'coarse';

/** CIFAR's image side and channels. */
export const CIFAR_SIDE = 32;
/** Pixel bytes per CIFAR image (3 planes of 32×32). */
export const CIFAR_PIXELS = 3 * CIFAR_SIDE * CIFAR_SIDE;

/** Bytes per record: the label bytes then the pixels. */
export function cifarRecordSize(kind: CifarKind): number {
  return (kind === 'cifar10' ? 1 : 2) + CIFAR_PIXELS;
}

/** The file names of each split in the official binary archives (cifar-10-batches-bin/, cifar-100-binary/). */
export const CIFAR_FILES: Readonly<Record<CifarKind, Readonly<Record<Split, readonly string[]>>>> = {
  cifar10: { train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'], test: ['test_batch.bin'] },
  cifar100: { train: ['train.bin'], test: ['test.bin'] },
};

/** A malformed CIFAR file; `file` names it. */
export class CifarError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`CIFAR file ${file}: ${detail}`);
    this.name = 'CifarError';
  }
}

/** One file's bytes and its name for error messages. */
export interface CifarFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Options of cifarFromBytes. */
export interface CifarOptions {
  /** CIFAR-100 only: which label to keep (default 'fine'). */
  readonly labels?: CifarLabels;
}

function checkRecords(file: CifarFile, kind: CifarKind): number {
  const size = cifarRecordSize(kind);
  const len = file.bytes.length;
  if (len === 0) throw new CifarError(file.name, `empty: a ${kind} file holds records of ${size} bytes`);
  if (len % size !== 0) {
    throw new CifarError(file.name, `truncated or wrong format: ${len} bytes is ${Math.floor(len / size)} records of ${size} bytes (${kind}) and ${len % size} bytes more`);
  }
  return len / size;
}

/**
 * A CIFAR split from the bytes of its files, in the given order (CIFAR-10's
 * training set is data_batch_1..5): 32×32 RGB images scaled to [0, 1].
 */
export function cifarFromBytes(kind: CifarKind, split: Split, files: readonly CifarFile[], options: CifarOptions = {}): Dataset {
  if (kind !== 'cifar10' && kind !== 'cifar100') throw new RangeError(`cifarFromBytes: kind must be 'cifar10' or 'cifar100', got ${String(kind)}`);
  if (split !== 'train' && split !== 'test') throw new RangeError(`cifarFromBytes: split must be 'train' or 'test', got ${String(split)}`);
  const which = options.labels ?? 'fine';
  if (which !== 'fine' && which !== 'coarse') throw new RangeError(`cifarFromBytes: labels must be 'fine' or 'coarse', got ${String(which)}`);
  if (files.length === 0) throw new RangeError(`cifarFromBytes: no files given for ${kind} (${split})`);
  const counts = files.map((f) => checkRecords(f, kind));
  const n = counts.reduce((a, b) => a + b, 0);
  const numClasses = kind === 'cifar10' ? 10 : which === 'fine' ? 100 : 20;
  const limits = kind === 'cifar10' ? [['label', 10]] as const : [['coarse label', 20], ['fine label', 100]] as const;
  const labelBytes = limits.length;
  const keep = kind === 'cifar10' || which === 'coarse' ? 0 : 1;
  const size = cifarRecordSize(kind);
  const images = new Float32Array(n * CIFAR_PIXELS);
  const labels = new Uint8Array(n);
  let i = 0;
  files.forEach((file, f) => {
    for (let r = 0; r < counts[f]!; r++, i++) {
      const at = r * size;
      limits.forEach(([what, limit], k) => {
        const v = file.bytes[at + k]!;
        if (v >= limit) throw new CifarError(file.name, `record ${r} (byte ${at + k}): ${what} ${v} is not in [0, ${limit})`);
      });
      labels[i] = file.bytes[at + keep]!;
      bytesToUnit(file.bytes.subarray(at + labelBytes, at + size), images, i * CIFAR_PIXELS);
    }
  });
  const name = kind === 'cifar100' && which === 'coarse' ? 'cifar100-coarse' : kind;
  return makeDataset({ name, split, n, channels: 3, height: CIFAR_SIDE, width: CIFAR_SIDE, numClasses, images, labels });
}

/** Encode images and labels as CIFAR records (for tests and small fixtures); pixels are bytes 0..255 in [C, H, W] order. */
export function encodeCifar(kind: CifarKind, pixels: ArrayLike<number>, labels: readonly (number | readonly [number, number])[]): Uint8Array {
  const size = cifarRecordSize(kind);
  if (pixels.length !== labels.length * CIFAR_PIXELS) throw new RangeError(`encodeCifar: ${labels.length} records need ${labels.length * CIFAR_PIXELS} pixel bytes, got ${pixels.length}`);
  const out = new Uint8Array(labels.length * size);
  labels.forEach((l, r) => {
    const head = typeof l === 'number' ? [l] : [...l];
    if (head.length !== size - CIFAR_PIXELS) throw new RangeError(`encodeCifar: a ${kind} record needs ${size - CIFAR_PIXELS} label byte(s), record ${r} has ${head.length}`);
    out.set(head, r * size);
    for (let p = 0; p < CIFAR_PIXELS; p++) out[r * size + head.length + p] = pixels[r * CIFAR_PIXELS + p]!;
  });
  return out;
}
