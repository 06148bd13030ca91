/**
 * A folder of PNG and JPEG images in class subfolders (torchvision's
 * ImageFolder layout): root/<class>/<image>.png|.jpg|.jpeg. Classes are the
 * subfolder names in sorted order (label = position), images are taken in
 * sorted order. Node only (it reads a folder; pngjs and jpeg-js decode).
 *
 * Every image is converted to RGB as PIL's convert('RGB') does: grayscale
 * repeated on three channels, alpha dropped (not composited). All images must
 * have one size: nothing is resized, since a silent resize would hide a wrong
 * folder; a mismatch is an error naming both files.
 */
import { readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { channelsOf, makeDataset, type Dataset, type Split } from './dataset.js';
import { readBytes, requireFolder } from './files.js';

/** File extensions the loader reads (lower case). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** A file the folder loader could not use; `file` names it. */
export class ImageFileError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`image file ${file}: ${detail}`);
    this.name = 'ImageFileError';
  }
}

/** A decoded image: 8-bit RGBA, row-major. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decode PNG or JPEG bytes to RGBA (by extension, checked against the file's signature); errors name the file. */
export function decodeImage(bytes: Uint8Array, file: string): Rgba {
  const ext = extname(file).toLowerCase();
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (ext === '.png' && !isPng) throw new ImageFileError(file, bytes.length === 0 ? 'empty file' : 'not a PNG (its first bytes are not the PNG signature)');
  if ((ext === '.jpg' || ext === '.jpeg') && !isJpeg) throw new ImageFileError(file, bytes.length === 0 ? 'empty file' : 'not a JPEG (it does not start with the SOI marker ff d8 ff)');
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new ImageFileError(file, `cannot be decoded (truncated or corrupt): ${(e as Error).message}`);
  }
}

function sortedEntries(folder: string): string[] {
  return readdirSync(folder).filter((f) => !f.startsWith('.')).sort();
}

/** Options of loadImageFolder. */
export interface ImageFolderOptions {
  /** The dataset's name (default 'image-folder'). */
  readonly name?: string;
  /** The split recorded in the dataset (default 'train'). */
  readonly split?: Split;
  /** Class names the folder must have exactly (e.g. the training split's, so labels agree). */
  readonly classes?: readonly string[];
}

/** An image-folder dataset and its class names (label i is classes[i]). */
export interface ImageFolder {
  readonly dataset: Dataset;
  readonly classes: readonly string[];
}

/** Read root/<class>/<image> into an RGB dataset; errors name the file or folder and what is wrong. */
export function loadImageFolder(root: string, options: ImageFolderOptions = {}): ImageFolder {
  const folder = requireFolder('loadImageFolder', root, 'the image folder');
  const classes = sortedEntries(folder).filter((c) => statSync(join(folder, c)).isDirectory());
  if (classes.length === 0) throw new Error(`loadImageFolder: ${folder} has no class subfolders (expected root/<class>/<image>.png|.jpg)`);
  if (classes.length > 256) throw new Error(`loadImageFolder: ${folder} has ${classes.length} class subfolders, more than the 256 labels a dataset holds`);
  if (options.classes !== undefined && options.classes.join('\n') !== classes.join('\n')) {
    throw new Error(`loadImageFolder: ${folder} has classes [${classes.join(', ')}], expected [${options.classes.join(', ')}]`);
  }
  const files = classes.map((c) => {
    const list = sortedEntries(join(folder, c)).filter((f) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()));
    if (list.length === 0) throw new Error(`loadImageFolder: class folder ${join(folder, c)} has no .png, .jpg or .jpeg images`);
    return list.map((f) => join(folder, c, f));
  });
  const n = files.reduce((a, l) => a + l.length, 0);
  let first: { file: string; width: number; height: number } | undefined;
  let images = new Float32Array(0);
  const labels = new Uint8Array(n);
  let i = 0;
  files.forEach((list, label) => {
    for (const file of list) {
      const img = decodeImage(readBytes(file, ''), file);
      if (first === undefined) {
        first = { file, width: img.width, height: img.height };
        images = new Float32Array(n * 3 * img.width * img.height);
      } else if (img.width !== first.width || img.height !== first.height) {
        throw new ImageFileError(file, `is ${img.width}x${img.height} (width x height) but ${first.file} is ${first.width}x${first.height}: all images must have one size`);
      }
      const plane = img.width * img.height;
      const at = i * 3 * plane;
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < 3; c++) images[at + c * plane + p] = img.data[4 * p + c]! / 255;
      }
      labels[i++] = label;
    }
  });
  const dataset = makeDataset({
    name: options.name ?? 'image-folder', split: options.split ?? 'train', n, channels: 3,
    height: first!.height, width: first!.width, numClasses: classes.length, images, labels,
  });
  return { dataset, classes: Object.freeze(classes) };
}

/**
 * Write a dataset as PNGs in the ImageFolder layout: root/<class name>/<index>.png,
 * 8-bit (values rounded from [0, 1]), RGB for 3 channels, grayscale repeated for 1.
 * Class names default to class_00, class_01, ...
 */
export function writeImageFolder(ds: Dataset, root: string, classNames?: readonly string[]): void {
  const c = channelsOf(ds);
  if (c !== 1 && c !== 3) throw new RangeError(`writeImageFolder: ${ds.name} has ${c} channels; PNGs are written for 1 or 3`);
  const names = classNames ?? Array.from({ length: ds.numClasses }, (_, k) => `class_${String(k).padStart(2, '0')}`);
  if (names.length !== ds.numClasses) throw new RangeError(`writeImageFolder: ${ds.numClasses} classes need ${ds.numClasses} names, got ${names.length}`);
  const plane = ds.height * ds.width;
  const digits = String(Math.max(0, ds.n - 1)).length;
  names.forEach((name) => mkdirSync(join(root, name), { recursive: true }));
  for (let i = 0; i < ds.n; i++) {
    const png = new PNG({ width: ds.width, height: ds.height });
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) {
        const v = ds.images[i * c * plane + (c === 1 ? 0 : k) * plane + p]!;
        png.data[4 * p + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
      png.data[4 * p + 3] = 255;
    }
    writeFileSync(join(root, names[ds.labels[i]!]!, `${String(i).padStart(digits, '0')}.png`), PNG.sync.write(png));
  }
}
