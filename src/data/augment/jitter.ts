/**
 * Brightness and contrast jitter on grayscale batches, elementwise graph ops
 * with one factor per image ([B] tensors, drawn on the host), with
 * torchvision's semantics for float images:
 *
 *   brightness(x, f) = clamp(f · x, 0, 1)
 *   contrast(x, f)   = clamp(f · x + (1 - f) · mean(x), 0, 1)   (mean over the image)
 *
 * ColorJitter applies its adjustments in a random order; for grayscale only
 * these two act (saturation and hue leave a gray image unchanged), so the
 * order is one flag per image (1: brightness first). A factor of 1 is the
 * identity (inputs in [0, 1]), which is how "not applied" is encoded.
 */
import type { Tensor } from '../../ir/tensor.js';
import { add, maximum, minimum, mul, select, sub } from '../../ops/elementwise.js';
import { broadcastTo } from '../../ops/layout.js';
import { mean } from '../../ops/statistics.js';
import type { Images } from './resample.js';

/** One value per image of the batch. */
export type PerImage = Tensor<['B']>;

const perPixel = (v: Tensor, like: Images): Images => broadcastTo(v, like.axes, like.sizes) as Images;

/** Clamp into [lo, hi]. */
export function clamp(x: Images, lo = 0, hi = 1): Images {
  return minimum(maximum(x, lo), hi);
}

/** Each image times its factor, clamped to [0, 1] (torchvision's adjust_brightness). */
export function brightness(x: Images, factor: PerImage): Images {
  return clamp(mul(x, perPixel(factor, x)));
}

/** Each image blended with its mean by its factor, clamped to [0, 1] (torchvision's adjust_contrast on one channel). */
export function contrast(x: Images, factor: PerImage): Images {
  const f = perPixel(factor, x);
  const m = perPixel(mean(x, ['H', 'W']), x);
  return clamp(add(mul(f, x), mul(sub(1, f), m)));
}

/** Both adjustments, brightness first where brightnessFirst is 1, contrast first where it is 0. */
export function colorJitter(x: Images, brightnessFactor: PerImage, contrastFactor: PerImage, brightnessFirst: PerImage): Images {
  const a = contrast(brightness(x, brightnessFactor), contrastFactor);
  const b = brightness(contrast(x, contrastFactor), brightnessFactor);
  return select(perPixel(brightnessFirst, x), a, b);
}
