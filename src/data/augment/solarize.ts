/**
 * Solarisation (PIL ImageOps.solarize, as DINO, BYOL and PAWS use it): pixels
 * at or above the threshold are inverted, x -> 1 - x. The default threshold is
 * PIL's 128 on the 0..255 scale, 128/255 here. A select, per image: where
 * flags[b] is 0 the image passes unchanged.
 */
import { less, mul, select, sub } from '../../ops/elementwise.js';
import { broadcastTo } from '../../ops/layout.js';
import type { PerImage } from './jitter.js';
import type { Images } from './resample.js';

/** torchvision's solarize threshold 128 on [0, 1] pixels. */
export const SOLARIZE_THRESHOLD = 128 / 255;

/** Pixels at or above the threshold inverted (1 - x) in the images whose flag is 1. */
export function solarize(x: Images, flags: PerImage, threshold = SOLARIZE_THRESHOLD): Images {
  const flag = broadcastTo(flags, x.axes, x.sizes) as Images;
  // invert where flag and x >= threshold, i.e. flag · (1 - [x < threshold]) is non-zero
  const invert = mul(flag, sub(1, less(x, threshold)));
  return select(invert, sub(1, x), x);
}
