/**
 * DINO's colour augmentations on [B, C, H, W] batches (C = 3 RGB, or C = 1
 * where the colour-only steps are the identity, as in torchvision), as
 * elementwise graph ops with one host-drawn factor per image ([B] tensors).
 * The formulas are torchvision's tensor kernels (transforms/_functional_tensor.py)
 * for float images in [0, 1]:
 *
 *   gray(x)          = 0.2989 R + 0.587 G + 0.114 B              (rgb_to_grayscale, ITU-R 601-2)
 *   blend(a, b, f)   = clamp(f a + (1 - f) b, 0, 1)
 *   brightness(x, f) = blend(x, 0, f)
 *   contrast(x, f)   = blend(x, mean(gray(x)), f)                 (mean over the image; of x when C = 1)
 *   saturation(x, f) = blend(x, gray(x), f)                       (identity when C = 1)
 *   hue(x, h)        = hsv2rgb(H + h mod 1, S, V) of rgb2hsv(x)   (identity when C = 1)
 *
 * A factor of 1 (hue 0) is "not applied": brightness, contrast and saturation
 * are then exactly the identity on [0, 1] inputs, and hue selects its input.
 */
import type { Tensor } from '../../ir/tensor.js';
import { add, equal, floor, maximum, minimum, mul, select, sub, div } from '../../ops/elementwise.js';
import { broadcastTo, reshape, rename } from '../../ops/layout.js';
import { einsum } from '../../ops/einsum.js';
import { concat, slice } from '../../ops/slicing.js';
import { mean } from '../../ops/statistics.js';
import type { PerImage } from './jitter.js';
import type { ColumnWeights, RowWeights } from './resample.js';
import { SOLARIZE_THRESHOLD } from './solarize.js';
import { less } from '../../ops/elementwise.js';

/** A batch of images with channels, [B, C, H, W]. */
export type ColourImages = Tensor<['B', 'C', 'H', 'W']>;

/** torchvision's rgb_to_grayscale weights for R, G, B (ITU-R 601-2 luma). */
export const LUMA_WEIGHTS = [0.2989, 0.587, 0.114] as const;

const channels = (x: ColourImages): number => x.sizes[1]!;
const perPixel = (v: Tensor, like: ColourImages): ColourImages => broadcastTo(v, like.axes, like.sizes) as ColourImages;
const plane = (x: ColourImages, c: number): ColourImages => slice(x, 'C', c, c + 1);
const clamp01 = (x: ColourImages): ColourImages => minimum(maximum(x, 0), 1);
const stack = (planes: readonly ColourImages[]): ColourImages => concat(planes, 'C');

function checkChannels(x: ColourImages, fn: string): number {
  const c = channels(x);
  if (x.axes.join(',') !== 'B,C,H,W') throw new RangeError(`${fn}: images must have axes [B, C, H, W], got [${x.axes.join(', ')}]`);
  if (c !== 1 && c !== 3) throw new RangeError(`${fn}: images must have 1 or 3 channels, got ${c}`);
  return c;
}

/** The luma plane [B, 1, H, W] of RGB images (the image itself when C = 1). */
export function luma(x: ColourImages): ColourImages {
  if (checkChannels(x, 'luma') === 1) return x;
  const [r, g, b] = [0, 1, 2].map((c) => mul(plane(x, c), LUMA_WEIGHTS[c]!));
  return add(add(r!, g!), b!);
}

/** f·a + (1 - f)·b clamped to [0, 1], with f per image. */
function blend(a: ColourImages, b: ColourImages | number, factor: PerImage): ColourImages {
  const f = perPixel(factor, a);
  const other = typeof b === 'number' ? b : b.sizes[1] === a.sizes[1] ? b : stack(Array.from({ length: channels(a) }, () => b));
  return clamp01(add(mul(f, a), mul(sub(1, f), other)));
}

/** torchvision's adjust_brightness: each image times its factor, clamped. */
export function adjustBrightness(x: ColourImages, factor: PerImage): ColourImages {
  checkChannels(x, 'adjustBrightness');
  return clamp01(mul(x, perPixel(factor, x)));
}

/** torchvision's adjust_contrast: blended with the mean of its grayscale by the factor. */
export function adjustContrast(x: ColourImages, factor: PerImage): ColourImages {
  checkChannels(x, 'adjustContrast');
  return blend(x, perPixel(mean(luma(x), ['C', 'H', 'W']), x), factor);
}

/** torchvision's adjust_saturation: blended with its own grayscale by the factor (identity on one channel). */
export function adjustSaturation(x: ColourImages, factor: PerImage): ColourImages {
  if (checkChannels(x, 'adjustSaturation') === 1) return x;
  return blend(x, luma(x), factor);
}

/** torchvision's _rgb2hsv: [B, 3, H, W] RGB to hue, saturation, value planes, each [B, 1, H, W] in [0, 1]. */
export function rgbToHsv(x: ColourImages): [ColourImages, ColourImages, ColourImages] {
  const [r, g, b] = [plane(x, 0), plane(x, 1), plane(x, 2)];
  const maxc = maximum(maximum(r, g), b);
  const minc = minimum(minimum(r, g), b);
  const eqc = equal(maxc, minc);
  const cr = sub(maxc, minc);
  const s = div(cr, select(eqc, 1, maxc));
  const divisor = select(eqc, 1, cr);
  const [rc, gc, bc] = [r, g, b].map((p) => div(sub(maxc, p), divisor)) as [ColourImages, ColourImages, ColourImages];
  const isR = equal(maxc, r);
  const notR = sub(1, isR);
  const isG = equal(maxc, g);
  const hr = mul(isR, sub(bc, gc));
  const hg = mul(mul(isG, notR), add(sub(rc, bc), 2));
  const hb = mul(mul(sub(1, isG), notR), add(sub(gc, rc), 4));
  const h6 = add(div(add(add(hr, hg), hb), 6), 1);
  return [sub(h6, floor(h6)), s, maxc]; // fmod(h/6 + 1, 1), the argument being positive
}

/** torchvision's _hsv2rgb: hue, saturation, value planes to [B, 3, H, W] RGB. */
export function hsvToRgb(h: ColourImages, s: ColourImages, v: ColourImages): ColourImages {
  const i = floor(mul(h, 6));
  const f = sub(mul(h, 6), i);
  const p = clamp01(mul(v, sub(1, s)));
  const q = clamp01(mul(v, sub(1, mul(s, f))));
  const t = clamp01(mul(v, sub(1, mul(s, sub(1, f)))));
  const sector = sub(i, mul(floor(div(i, 6)), 6)); // i mod 6
  const table: readonly (readonly ColourImages[])[] = [
    [v, q, p, p, t, v],
    [t, v, v, q, p, p],
    [p, p, t, v, v, q],
  ];
  const masks = Array.from({ length: 6 }, (_, k) => equal(sector, k));
  return stack(table.map((row) => row.map((a, k) => mul(masks[k]!, a)).reduce((acc, y) => add(acc, y))));
}

/** torchvision's adjust_hue: the hue shifted by the factor (in [-0.5, 0.5]) modulo 1; images whose factor is 0 pass unchanged. */
export function adjustHue(x: ColourImages, factor: PerImage): ColourImages {
  if (checkChannels(x, 'adjustHue') === 1) return x;
  const [h, s, v] = rgbToHsv(x);
  const shifted = add(h, perPixel(factor, h));
  const out = hsvToRgb(sub(shifted, floor(shifted)), s, v);
  return select(perPixel(equal(factor, 0), x), x, out);
}

/** torchvision's RandomGrayscale: images whose flag is 1 replaced by their luma on every channel. */
export function randomGrayscale(x: ColourImages, flags: PerImage): ColourImages {
  const c = checkChannels(x, 'randomGrayscale');
  if (c === 1) return x;
  const l = luma(x);
  return select(perPixel(flags, x), stack([l, l, l]), x);
}

/** The four ColorJitter adjustments, by the index torchvision's randperm draws (0 brightness, 1 contrast, 2 saturation, 3 hue). */
export const JITTER_STEPS = ['brightness', 'contrast', 'saturation', 'hue'] as const;

/** Per-image ColorJitter parameters: the four factors and the order ([B, S] with S = 4, each row a permutation of 0..3). */
export interface ColourJitterParams {
  readonly brightness: PerImage;
  readonly contrast: PerImage;
  readonly saturation: PerImage;
  readonly hue: PerImage;
  readonly order: Tensor<['B', 'S']>;
}

/**
 * torchvision's ColorJitter with a per-image random order: step s applies the
 * adjustment order[b, s] to image b. Every step computes the four candidates
 * and keeps the chosen one, so the graph is fixed and the order is data.
 */
export function colourJitter(x: ColourImages, params: ColourJitterParams): ColourImages {
  checkChannels(x, 'colourJitter');
  if (params.order.sizes[1] !== 4) throw new RangeError(`colourJitter: order must be [B, 4] (a permutation of the 4 steps per image), got [${params.order.sizes.join(', ')}]`);
  let y = x;
  for (let s = 0; s < 4; s++) {
    const which = perPixel(reshape(slice(params.order, 'S', s, s + 1), ['B'], [x.sizes[0]!]), x);
    const candidates = [
      adjustBrightness(y, params.brightness),
      adjustContrast(y, params.contrast),
      adjustSaturation(y, params.saturation),
      adjustHue(y, params.hue),
    ];
    y = candidates.reduce((acc, cand, k) => select(equal(which, k), cand, acc), y);
  }
  return y;
}

/**
 * The separable resampling of resample.ts on every channel with the same
 * per-image weights (crops, resizes, flips, GaussianBlur):
 * out[b, c] = Ry[b] · img[b, c] · Rx[b]ᵀ.
 */
export function resampleColour(x: ColourImages, ry: RowWeights, rx: ColumnWeights): ColourImages {
  const out = einsum('B O H, B C H W, B P W -> B C O P', ry, x, rx);
  return rename(out, { O: 'H', P: 'W' }) as ColourImages;
}

/** Solarization (PIL's, threshold 128/255) on every channel of the images whose flag is 1. */
export function solarizeColour(x: ColourImages, flags: PerImage, threshold = SOLARIZE_THRESHOLD): ColourImages {
  const invert = mul(perPixel(flags, x), sub(1, less(x, threshold)));
  return select(invert, sub(1, x), x);
}

/** ColorJitter's strengths, as torchvision takes them: brightness b draws from [max(0, 1 - b), 1 + b], hue h from [-h, h]; p is RandomApply's probability. */
export interface ColourJitterConfig {
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
  /** Probability that the jitter is applied at all (DINO: 0.8). */
  readonly p: number;
}

/** DINO's colour jitter: RandomApply([ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8). */
export const DINO_COLOUR_JITTER: ColourJitterConfig = Object.freeze({ brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8 });

/** Uniform draws one image's jitter takes: apply?, 3 for the order, 4 factors. */
export const JITTER_DRAWS = 8;

/** One image's ColorJitter parameters, host side. */
export interface ColourJitterDraw {
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;
  /** The order of the steps (indices into JITTER_STEPS), torchvision's randperm(4). */
  readonly order: readonly number[];
}

/**
 * One image's parameters from JITTER_DRAWS uniforms in [0, 1): skipped (all
 * identity factors, order 0..3) unless u[0] < p; else a Fisher–Yates order
 * and factors uniform in torchvision's ranges.
 */
export function sampleColourJitter(u: ArrayLike<number>, config: ColourJitterConfig): ColourJitterDraw {
  if (u.length < JITTER_DRAWS) throw new RangeError(`sampleColourJitter: needs ${JITTER_DRAWS} uniforms, got ${u.length}`);
  for (const k of ['brightness', 'contrast', 'saturation'] as const) {
    if (!(config[k] >= 0)) throw new RangeError(`sampleColourJitter: ${k} must be >= 0, got ${config[k]}`);
  }
  if (!(config.hue >= 0 && config.hue <= 0.5)) throw new RangeError(`sampleColourJitter: hue must be in [0, 0.5], got ${config.hue}`);
  if (!(config.p >= 0 && config.p <= 1)) throw new RangeError(`sampleColourJitter: p must be in [0, 1], got ${config.p}`);
  if (!(u[0]! < config.p)) return { brightness: 1, contrast: 1, saturation: 1, hue: 0, order: [0, 1, 2, 3] };
  const order = [0, 1, 2, 3];
  for (let i = 3; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[4 - i]! * (i + 1)));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const factor = (strength: number, v: number): number => {
    const lo = Math.max(0, 1 - strength);
    return lo + (1 + strength - lo) * v;
  };
  return {
    brightness: factor(config.brightness, u[4]!),
    contrast: factor(config.contrast, u[5]!),
    saturation: factor(config.saturation, u[6]!),
    hue: -config.hue + 2 * config.hue * u[7]!,
    order,
  };
}
