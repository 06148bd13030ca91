/**
 * A small synthetic colour dataset, made on the spot from a key (nothing to
 * download): each image is one filled shape in one colour on a background of
 * another, and the class is the shape (circle, square, triangle, cross), never
 * the colour, so a model must look at form. Position, size and both colours
 * are drawn per image; the colours are at least a fixed distance apart so
 * every shape is visible. Runs anywhere.
 */
import { makeDataset, type Dataset, type Split } from './dataset.js';
import { foldIn, key as keyOf, uniform, type Key } from '../runtime/prng.js';
import { contrastingColours } from './contrasting-colours.js';

/** The classes, in label order. */
export const COLOUR_SHAPES_CLASSES = ['circle', 'square', 'triangle', 'cross'] as const;

/** Options of colourShapes. */
export interface ColourShapesOptions {
  /** Images to make (default 2000 for train, 500 for test). */
  readonly n?: number;
  /** Image side in pixels (default 32, as CIFAR); at least 8. */
  readonly size?: number;
  /** The key the images are drawn from (default: key(1) for train, key(2) for test). */
  readonly key?: Key;
}

/** Draws per image: class, centre x, centre y, radius, 3 foreground, 3 background. */
const DRAWS = 10;

function inside(shape: number, dx: number, dy: number, r: number): boolean {
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  switch (shape) {
    case 0:
      return dx * dx + dy * dy <= r * r;
    case 1:
      return ax <= r * 0.8 && ay <= r * 0.8;
    case 2: // apex up, base at dy = r·0.7
      return dy <= r * 0.7 && dy >= -r && ax <= ((dy + r) / (1.7 * r)) * r;
    default:
      return (ax <= r * 0.3 && ay <= r) || (ay <= r * 0.3 && ax <= r);
  }
}

/** A colour-shapes split: n RGB images of size×size in [C, H, W] layout, 4 classes. */
export function colourShapes(split: Split, options: ColourShapesOptions = {}): Dataset {
  if (split !== 'train' && split !== 'test') throw new RangeError(`colourShapes: split must be 'train' or 'test', got ${String(split)}`);
  const n = options.n ?? (split === 'train' ? 2000 : 500);
  const size = options.size ?? 32;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`colourShapes: n must be a non-negative integer, got ${n}`);
  if (!Number.isSafeInteger(size) || size < 8) throw new RangeError(`colourShapes: size must be an integer of at least 8, got ${size}`);
  const base = options.key ?? keyOf(split === 'train' ? 1 : 2);
  const plane = size * size;
  const images = new Float32Array(n * 3 * plane);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = uniform(foldIn(base, i), DRAWS);
    const shape = Math.min(3, Math.floor(u[0]! * 4));
    const r = size * (0.22 + 0.14 * u[3]!);
    const cx = r + (size - 2 * r) * u[1]!;
    const cy = r + (size - 2 * r) * u[2]!;
    const { fg, bg } = contrastingColours(u, 4);
    labels[i] = shape;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = inside(shape, x + 0.5 - cx, y + 0.5 - cy, r);
        for (let c = 0; c < 3; c++) images[i * 3 * plane + c * plane + y * size + x] = on ? fg[c]! : bg[c]!;
      }
    }
  }
  return makeDataset({ name: 'colour-shapes', split, n, channels: 3, height: size, width: size, numClasses: COLOUR_SHAPES_CLASSES.length, images, labels });
}
