/**
 * A grayscale dataset in colour, as "coloured MNIST" is usually made: every image's ink
 * takes one colour, drawn per image from a key, on the black background: pixel = g · ink
 * for the gray value g, ink = 0.3 + 0.7·u per channel (u uniform), so no digit is drawn in
 * near-black. The class stays in the shape and never in the colour, so a self-supervised
 * run has to learn to look past the colour (its colour augmentations are what let it).
 * Nothing in colour can be downloaded here; this is the colour dataset notebook 11 trains on.
 */
import { channelsOf, makeDataset, type Dataset } from './dataset.js';
import { foldIn, key as keyOf, uniform, type Key } from '../runtime/prng.js';
import type { Rgb } from './contrasting-colours.js';

/** The darkest an ink channel can be. */
const INK_FLOOR = 0.3;

/** The ink colour of one image: three channels in [INK_FLOOR, 1). */
export function inkColour(key: Key): Rgb {
  const u = uniform(key, 3);
  const channel = (v: number) => INK_FLOOR + (1 - INK_FLOOR) * v;
  return [channel(u[0]!), channel(u[1]!), channel(u[2]!)];
}

/** `ds` (grayscale) as RGB images [3, H, W]: image i's ink in inkColour(foldIn(key, i)) (default key(3)). Named `colour <name>`. */
export function colourise(ds: Dataset, key: Key = keyOf(3)): Dataset {
  if (channelsOf(ds) !== 1) throw new RangeError(`colourise: ${ds.name} (${ds.split}) has ${channelsOf(ds)} channels; it colours grayscale images only`);
  const plane = ds.height * ds.width;
  const images = new Float32Array(ds.n * 3 * plane);
  for (let i = 0; i < ds.n; i++) {
    const ink = inkColour(foldIn(key, i));
    for (let c = 0; c < 3; c++) {
      const out = (i * 3 + c) * plane;
      for (let p = 0; p < plane; p++) images[out + p] = ds.images[i * plane + p]! * ink[c]!;
    }
  }
  return makeDataset({ name: `colour ${ds.name}`, split: ds.split, n: ds.n, channels: 3, height: ds.height, width: ds.width, numClasses: ds.numClasses, images, labels: ds.labels });
}
