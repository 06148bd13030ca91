/**
 * The images a trainer takes, in one place: a batch's spec ([B, H, W] for
 * grayscale, as the trainers always traced it, so their programs are unchanged;
 * [B, C, H, W] for RGB), the source size the views are drawn for, and the
 * multi-crop preset options sized for the images and the backbone (local views
 * at the recipe's scaled side, moved to the nearest side the backbone takes).
 */
import type { TensorSpec } from '../ir/trace.js';
import { DEFAULT_FLIP, imagesSpec, scaledLocalSide, type PresetOptions } from '../data/multi-crop.js';
import type { ImageSize } from '../data/augment/view.js';
import { channelsOf, type Dataset } from '../data/dataset.js';
import { MNIST_IMAGES, viewSideFor, type Backbone, type ImageShape } from './models.js';

/** The spec of a batch of `batch` images of this shape: [B, H, W] for one channel, [B, C, H, W] for more. */
export function batchImagesSpec(image: ImageShape, batch: number, name = 'images'): TensorSpec<['B', 'H', 'W']> | TensorSpec<['B', 'C', 'H', 'W']> {
  return imagesSpec({ batch, height: image.side, width: image.side, ...(image.channels === 1 ? {} : { channels: image.channels }) }, name);
}

/** The source size the views are drawn for. */
export const sourceSize = (image: ImageShape): ImageSize => ({ height: image.side, width: image.side });

/** Values per image of a batch (channels · side²). */
export const valuesPerImage = (image: ImageShape): number => image.channels * image.side * image.side;

/**
 * Preset options for a backbone's images: channels, side, and the recipe's local side (scaled to the
 * image) moved to the nearest side the backbone takes (DINO at 32: 13.71 -> 12 for a patch of 4, 14 for RegNetY).
 */
export function cropOptions(net: Pick<Backbone<unknown>, 'image' | 'sideMultiple'>, recipe: 'dino' | 'swav' | 'paws', flip: number = DEFAULT_FLIP): PresetOptions {
  const { channels, side } = net.image;
  return { channels, side, flip, localSize: viewSideFor(net, scaledLocalSide(recipe, side)) };
}

/** A dataset's images as an ImageShape; an error naming what it has unless they are square with 1 or 3 channels. */
export function datasetImages(ds: Dataset): ImageShape {
  const channels = channelsOf(ds);
  if (ds.height !== ds.width || (channels !== 1 && channels !== 3)) {
    throw new RangeError(`${ds.name} (${ds.split}) has ${channels}x${ds.height}x${ds.width} images; the backbones take square images with 1 (grayscale) or 3 (RGB) channels`);
  }
  return { channels, side: ds.height };
}

/** The images a run was trained on, from its recorded config (runs from before colour: MNIST's 1×28×28). */
export function recordedImages(config: Readonly<Record<string, unknown>>): ImageShape {
  const v = config['image'];
  if (v === undefined) return MNIST_IMAGES;
  const o = v as { channels?: unknown; side?: unknown };
  if (typeof v !== 'object' || v === null || typeof o.channels !== 'number' || typeof o.side !== 'number') throw new Error(`the run's config has image ${JSON.stringify(v)}, not { channels, side }`);
  return { channels: o.channels, side: o.side };
}
