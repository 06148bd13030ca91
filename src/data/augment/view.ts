/**
 * One augmented view of a batch: the per-view recipe (ViewConfig), the host
 * draws from an explicit key (sampleView), the specs of the data the graph
 * takes (viewSpecs) and the graph itself (augmentView). The order is DINO's:
 *
 *   random resized crop + flip (+ the flips of a quarter turn)   one einsum, matrices Ry, Rx
 *   colour jitter (brightness, contrast; random order), p        elementwise
 *   RGB: ColorJitter (+ saturation, hue; random order), p         elementwise (colour.ts)
 *   RGB: RandomGrayscale, p                                       select
 *   Gaussian blur, p                                              one einsum, matrices Gy, Gx
 *   solarisation, p                                               select
 *   the transpose of a quarter turn                               select
 *   normalisation (x - mean) / std, if configured                 elementwise
 *
 * Images are [B, H, W] (grayscale) or [B, C, H, W] (C = 3, RGB; the same
 * steps on every channel with the same per-image data, through colour.ts).
 * On grayscale images RandomGrayscale and the saturation and hue parts of
 * ColorJitter are identities: the grayscale recipes leave them out
 * (`colourJitter` and `grayscale` are for RGB). Which steps exist depends only
 * on the config, never on the draws, so one traced program serves every batch;
 * a step "not applied" to an image gets identity data (factor 1, identity
 * matrix, flag 0). Rotating last is the same as rotating right after the crop:
 * jitter, solarisation and an isotropic blur commute with quarter turns.
 *
 * Randomness: image b of a batch uses the 64 uniforms uniform(foldIn(key, b), 64),
 * slot by slot (see SLOT); so a view of an image depends only on (key, b).
 */
import type { Tensor } from '../../ir/tensor.js';
import { spec, type TensorSpec } from '../../ir/trace.js';
import { div, select, sub } from '../../ops/elementwise.js';
import { broadcastTo } from '../../ops/layout.js';
import { foldIn, uniform, type Key } from '../../runtime/prng.js';
import { gaussianWeights, identityWeights } from './blur.js';
import { CROP_DRAWS, DEFAULT_RATIO, checkRange, resizeWeights, sampleCropBox, type CropBox, type Range } from './crop.js';
import { reverseRows } from './flip.js';
import { colorJitter } from './jitter.js';
import { resample, type Images } from './resample.js';
import { adjustBrightness, adjustContrast, colourJitter, randomGrayscale, resampleColour, sampleColourJitter, solarizeColour, JITTER_DRAWS, type ColourImages, type ColourJitterConfig } from './colour.js';
import { transposeWhere, turnFlips, type Turns } from './rotate.js';
import { solarize } from './solarize.js';

/** Colour jitter of a view (brightness and contrast on grey images): its probability and strengths. */
export interface JitterConfig {
  /** Probability of applying the jitter (RandomApply's p). */
  readonly p: number;
  /** ColorJitter's brightness: factor uniform in [max(0, 1 - s), 1 + s]. */
  readonly brightness: number;
  /** ColorJitter's contrast: factor uniform in [max(0, 1 - s), 1 + s]. */
  readonly contrast: number;
}

/** Gaussian blur of a view: its probability and the range of σ. */
export interface BlurConfig {
  readonly p: number;
  /** σ in output pixels, uniform in this range. */
  readonly sigma: Range;
}

/** One augmented view: crop scale and output size, flip, jitter, blur, solarize, rotation, normalisation. */
export interface ViewConfig {
  /** Output size: a side, or [height, width]. */
  readonly size: number | readonly [number, number];
  /** Area fraction of the crop (RandomResizedCrop's scale). */
  readonly scale: Range;
  /** Aspect-ratio range (default [3/4, 4/3]). */
  readonly ratio?: Range;
  /** Probability of a horizontal flip (default 0.5). */
  readonly flip?: number;
  readonly jitter?: JitterConfig;
  readonly blur?: BlurConfig;
  /** RGB images only: torchvision's ColorJitter with saturation and hue, applied with probability p (RandomApply). */
  readonly colourJitter?: ColourJitterConfig;
  /** RGB images only: RandomGrayscale's probability. */
  readonly grayscale?: number;
  /** Probability of solarisation. */
  readonly solarize?: number;
  /** Rotate each image by a uniformly drawn number of quarter turns (square outputs only). */
  readonly rotate?: boolean;
  /** Normalise the output: (x - mean) / std. */
  readonly normalize?: { readonly mean: number; readonly std: number };
}

/** Uniform-draw slots of one image. */
export const SLOT = { crop: 0, flip: CROP_DRAWS, jitter: CROP_DRAWS + 1, brightness: CROP_DRAWS + 2, contrast: CROP_DRAWS + 3, order: CROP_DRAWS + 4, blur: CROP_DRAWS + 5, sigma: CROP_DRAWS + 6, solarize: CROP_DRAWS + 7, turns: CROP_DRAWS + 8, colourJitter: CROP_DRAWS + 9, grayscale: CROP_DRAWS + 9 + JITTER_DRAWS } as const;
/** Uniform draws reserved per image for one view (the crop's tries, flip, jitter, blur, solarize, turns, and room to grow), so adding an augmentation leaves the others' draws unchanged. */
export const DRAWS_PER_IMAGE = 64;

/** Source image size. */
export interface ImageSize {
  readonly height: number;
  readonly width: number;
}

/** The data a view's graph takes, by name: matrices [B, O, H], [B, P, W] and per-image [B] values. */
export interface ViewData<M, V> {
  readonly ry: M;
  readonly rx: M;
  readonly brightness?: V;
  readonly contrast?: V;
  readonly brightnessFirst?: V;
  readonly saturation?: V;
  readonly hue?: V;
  /** ColorJitter's order per image, [B, 4] (a permutation of 0..3, colour.ts's JITTER_STEPS). */
  readonly order?: M;
  readonly grayscale?: V;
  readonly gy?: M;
  readonly gx?: M;
  readonly solarize?: V;
  readonly transpose?: V;
}

/** The concrete data of a view's graph inputs, one Float64Array per name. */
export type ViewValues = ViewData<Float64Array, Float64Array>;
/** The specs of a view's data: the tensors of `ViewTensors`, axis for axis. */
export interface ViewSpecs {
  readonly ry: TensorSpec<['B', 'O', 'H']>;
  readonly rx: TensorSpec<['B', 'P', 'W']>;
  readonly brightness?: TensorSpec<['B']>;
  readonly contrast?: TensorSpec<['B']>;
  readonly brightnessFirst?: TensorSpec<['B']>;
  readonly saturation?: TensorSpec<['B']>;
  readonly hue?: TensorSpec<['B']>;
  readonly order?: TensorSpec<['B', 'S']>;
  readonly grayscale?: TensorSpec<['B']>;
  readonly gy?: TensorSpec<['B', 'O', 'H']>;
  readonly gx?: TensorSpec<['B', 'P', 'W']>;
  readonly solarize?: TensorSpec<['B']>;
  readonly transpose?: TensorSpec<['B']>;
}
/** The graph inputs of a view, as tensors inside a traced program. */
export interface ViewTensors {
  readonly ry: Tensor<['B', 'O', 'H']>;
  readonly rx: Tensor<['B', 'P', 'W']>;
  readonly brightness?: Tensor<['B']>;
  readonly contrast?: Tensor<['B']>;
  readonly brightnessFirst?: Tensor<['B']>;
  readonly saturation?: Tensor<['B']>;
  readonly hue?: Tensor<['B']>;
  readonly order?: Tensor<['B', 'S']>;
  readonly grayscale?: Tensor<['B']>;
  readonly gy?: Tensor<['B', 'O', 'H']>;
  readonly gx?: Tensor<['B', 'P', 'W']>;
  readonly solarize?: Tensor<['B']>;
  readonly transpose?: Tensor<['B']>;
}

/** What was drawn for each image (for inspection, plots and rotation labels). */
export interface ViewDraws {
  readonly boxes: readonly CropBox[];
  readonly flipped: Uint8Array;
  /** Brightness and contrast factors (1 where jitter was not applied). */
  readonly brightness: Float64Array;
  readonly contrast: Float64Array;
  /** Blur σ (0 where not applied). */
  readonly sigma: Float64Array;
  readonly solarized: Uint8Array;
  /** Quarter turns (0 without rotation): DeeperCluster's rotation labels. */
  readonly turns: Uint8Array;
  /** RGB views only (colourJitter or grayscale configured): saturation and hue factors (1 and 0 where not applied), ColorJitter's orders (4 per image) and the RandomGrayscale flags. */
  readonly colour?: { readonly saturation: Float64Array; readonly hue: Float64Array; readonly order: Uint8Array; readonly grayscaled: Uint8Array };
}

/** A view's draws for a batch: the graph inputs and what was drawn per image. */
export interface ViewSample {
  readonly values: ViewValues;
  readonly draws: ViewDraws;
}

/** The height and width of a view's images (the crop's output size). */
export function outputSize(config: ViewConfig): { readonly height: number; readonly width: number } {
  const [height, width] = typeof config.size === 'number' ? [config.size, config.size] : config.size;
  return { height, width };
}

const checkProbability = (name: string, p: number | undefined): void => {
  if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`${name}: a probability must be in [0, 1], got ${p}`);
};

/** Validate a view config; messages name the field. */
export function checkViewConfig(config: ViewConfig, src?: ImageSize): void {
  const { height, width } = outputSize(config);
  if (!Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) throw new RangeError(`view size: must be positive integers, got ${String(config.size)}`);
  checkRange('view scale', config.scale, 0, 1);
  if (!(config.scale[1] > 0)) throw new RangeError(`view scale: the upper bound must be positive, got [${config.scale.join(', ')}]`);
  checkRange('view ratio', config.ratio ?? DEFAULT_RATIO, Number.MIN_VALUE);
  checkProbability('view flip', config.flip);
  if (config.jitter) {
    checkProbability('view jitter.p', config.jitter.p);
    if (!(config.jitter.brightness >= 0) || !(config.jitter.contrast >= 0)) throw new RangeError(`view jitter: brightness and contrast strengths must be >= 0`);
  }
  if (config.blur) {
    checkProbability('view blur.p', config.blur.p);
    checkRange('view blur.sigma', config.blur.sigma, Number.MIN_VALUE);
  }
  if (config.colourJitter) {
    if (config.jitter) throw new RangeError(`view: jitter (brightness and contrast, for grayscale) and colourJitter (RGB) exclude each other; give one`);
    sampleColourJitter(new Float64Array(JITTER_DRAWS), config.colourJitter); // validates the strengths and p, naming the field
  }
  checkProbability('view grayscale', config.grayscale);
  checkProbability('view solarize', config.solarize);
  if (config.rotate && height !== width) throw new RangeError(`view rotate: quarter turns need a square output, got ${height}x${width}`);
  if (config.normalize && !(config.normalize.std > 0)) throw new RangeError(`view normalize: std must be positive, got ${config.normalize.std}`);
  if (src && (!Number.isInteger(src.height) || src.height < 1 || !Number.isInteger(src.width) || src.width < 1)) throw new RangeError(`view source: image size must be positive integers, got ${src.height}x${src.width}`);
}

const jitterRange = (s: number): Range => [Math.max(0, 1 - s), 1 + s];
const lerp = (r: Range, u: number): number => r[0] + (r[1] - r[0]) * u;

/** Draw the parameters of one view of n images of size `src` from `key`, as graph data. */
export function sampleView(key: Key, n: number, config: ViewConfig, src: ImageSize): ViewSample {
  checkViewConfig(config, src);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`sampleView: n must be a non-negative integer, got ${n}`);
  const { height: oh, width: ow } = outputSize(config);
  const { height: h, width: w } = src;
  const ry = new Float64Array(n * oh * h);
  const rx = new Float64Array(n * ow * w);
  const jit = config.jitter;
  const blur = config.blur;
  const bright = new Float64Array(n).fill(1);
  const contr = new Float64Array(n).fill(1);
  const order = new Float64Array(n);
  const sigma = new Float64Array(n);
  const gy = blur ? new Float64Array(n * oh * oh) : undefined;
  const gx = blur ? new Float64Array(n * ow * ow) : undefined;
  const sol = new Uint8Array(n);
  const flipped = new Uint8Array(n);
  const turns = new Uint8Array(n);
  const cj = config.colourJitter;
  const rgb = cj !== undefined || config.grayscale !== undefined;
  const satur = new Float64Array(n).fill(1);
  const hue = new Float64Array(n);
  const orders = new Float64Array(n * 4);
  const gray = new Uint8Array(n);
  const boxes: CropBox[] = [];
  for (let b = 0; b < n; b++) {
    const u = uniform(foldIn(key, b), DRAWS_PER_IMAGE);
    const box = sampleCropBox(u.subarray(SLOT.crop, SLOT.crop + CROP_DRAWS), h, w, config.scale, config.ratio ?? DEFAULT_RATIO);
    boxes.push(box);
    resizeWeights(box.top, box.height, h, oh, ry, b * oh * h);
    resizeWeights(box.left, box.width, w, ow, rx, b * ow * w);
    const flip = u[SLOT.flip]! < (config.flip ?? 0.5);
    const turn = config.rotate ? (Math.min(3, Math.floor(u[SLOT.turns]! * 4)) as Turns) : 0;
    const tf = turnFlips(turn);
    flipped[b] = flip ? 1 : 0;
    turns[b] = turn;
    // A horizontal flip, then the turn's own flips, all on the output axes.
    if (tf.flipRows) reverseRows(ry, oh, h, b * oh * h);
    if (flip !== tf.flipCols) reverseRows(rx, ow, w, b * ow * w);
    if (jit && u[SLOT.jitter]! < jit.p) {
      bright[b] = lerp(jitterRange(jit.brightness), u[SLOT.brightness]!);
      contr[b] = lerp(jitterRange(jit.contrast), u[SLOT.contrast]!);
      order[b] = u[SLOT.order]! < 0.5 ? 1 : 0;
    }
    if (blur && gy && gx) {
      if (u[SLOT.blur]! < blur.p) {
        sigma[b] = lerp(blur.sigma, u[SLOT.sigma]!);
        gaussianWeights(oh, sigma[b]!, gy, b * oh * oh);
        gaussianWeights(ow, sigma[b]!, gx, b * ow * ow);
      } else {
        identityWeights(oh, gy, b * oh * oh);
        identityWeights(ow, gx, b * ow * ow);
      }
    }
    sol[b] = config.solarize !== undefined && u[SLOT.solarize]! < config.solarize ? 1 : 0;
    if (cj) {
      const d = sampleColourJitter(u.subarray(SLOT.colourJitter, SLOT.colourJitter + JITTER_DRAWS), cj);
      [bright[b], contr[b], satur[b], hue[b]] = [d.brightness, d.contrast, d.saturation, d.hue];
      orders.set(d.order, b * 4);
    }
    gray[b] = config.grayscale !== undefined && u[SLOT.grayscale]! < config.grayscale ? 1 : 0;
  }
  const values: { -readonly [K in keyof ViewValues]: ViewValues[K] } = { ry, rx };
  if (jit) Object.assign(values, { brightness: bright, contrast: contr, brightnessFirst: order });
  if (cj) Object.assign(values, { brightness: bright, contrast: contr, saturation: satur, hue, order: orders });
  if (config.grayscale !== undefined) values.grayscale = Float64Array.from(gray);
  if (gy && gx) Object.assign(values, { gy, gx });
  if (config.solarize !== undefined) values.solarize = Float64Array.from(sol);
  if (config.rotate) values.transpose = Float64Array.from(turns, (t) => (turnFlips(t).transpose ? 1 : 0));
  return Object.freeze({
    values: Object.freeze(values),
    draws: Object.freeze({ boxes: Object.freeze(boxes), flipped, brightness: bright, contrast: contr, sigma, solarized: sol, turns, ...(rgb ? { colour: Object.freeze({ saturation: satur, hue, order: Uint8Array.from(orders), grayscaled: gray }) } : {}) }),
  });
}

/** Specs of the data a view's graph takes (the same keys as sampleView's values). */
export function viewSpecs(config: ViewConfig, n: number, src: ImageSize, name = 'view'): ViewSpecs {
  checkViewConfig(config, src);
  const { height: oh, width: ow } = outputSize(config);
  const out: { -readonly [K in keyof ViewSpecs]: ViewSpecs[K] } = {
    ry: spec(['B', 'O', 'H'], [n, oh, src.height], `${name}.ry`),
    rx: spec(['B', 'P', 'W'], [n, ow, src.width], `${name}.rx`),
  };
  const perImage = (k: string) => spec(['B'], [n], `${name}.${k}`);
  if (config.jitter) Object.assign(out, { brightness: perImage('brightness'), contrast: perImage('contrast'), brightnessFirst: perImage('brightnessFirst') });
  if (config.colourJitter) {
    Object.assign(out, { brightness: perImage('brightness'), contrast: perImage('contrast'), saturation: perImage('saturation'), hue: perImage('hue'), order: spec(['B', 'S'], [n, 4], `${name}.order`) });
  }
  if (config.grayscale !== undefined) out.grayscale = perImage('grayscale');
  if (config.blur) Object.assign(out, { gy: spec(['B', 'O', 'H'], [n, oh, oh], `${name}.gy`), gx: spec(['B', 'P', 'W'], [n, ow, ow], `${name}.gx`) });
  if (config.solarize !== undefined) out.solarize = perImage('solarize');
  if (config.rotate) out.transpose = perImage('transpose');
  return Object.freeze(out);
}

function need<T>(t: T | undefined, key: string): T {
  if (t === undefined) throw new RangeError(`augmentView: the config needs the view data '${key}', which is missing (use viewSpecs / sampleView with the same config)`);
  return t;
}

/** The view as graph ops: images [B, H, W] or [B, C, H, W] (source size) -> the same axes at the config's output size. */
export function augmentView<X extends Images | ColourImages>(images: X, data: ViewTensors, config: ViewConfig): X {
  return (images.rank === 4 ? augmentColourView(images as ColourImages, data, config) : augmentGrayView(images as Images, data, config)) as X;
}

function augmentGrayView(images: Images, data: ViewTensors, config: ViewConfig): Images {
  if (config.colourJitter || config.grayscale !== undefined) throw new RangeError(`augmentView: colourJitter and grayscale need RGB images [B, C, H, W], got [${images.axes.join(', ')}]`);
  let x = resample(images, data.ry, data.rx);
  if (config.jitter) x = colorJitter(x, need(data.brightness, 'brightness'), need(data.contrast, 'contrast'), need(data.brightnessFirst, 'brightnessFirst'));
  if (config.blur) x = resample(x, need(data.gy, 'gy'), need(data.gx, 'gx'));
  if (config.solarize !== undefined) x = solarize(x, need(data.solarize, 'solarize'));
  if (config.rotate) x = transposeWhere(x, need(data.transpose, 'transpose'));
  if (config.normalize) x = div(sub(x, config.normalize.mean), config.normalize.std);
  return x;
}

/** augmentView on [B, C, H, W]: the same steps, every channel with the same per-image data (colour.ts's ops). */
function augmentColourView(images: ColourImages, data: ViewTensors, config: ViewConfig): ColourImages {
  let x = resampleColour(images, data.ry, data.rx);
  if (config.jitter) {
    const [b, c] = [need(data.brightness, 'brightness'), need(data.contrast, 'contrast')];
    const first = broadcastTo(need(data.brightnessFirst, 'brightnessFirst'), x.axes, x.sizes) as ColourImages;
    x = select(first, adjustContrast(adjustBrightness(x, b), c), adjustBrightness(adjustContrast(x, c), b));
  }
  if (config.colourJitter) {
    x = colourJitter(x, { brightness: need(data.brightness, 'brightness'), contrast: need(data.contrast, 'contrast'), saturation: need(data.saturation, 'saturation'), hue: need(data.hue, 'hue'), order: need(data.order, 'order') });
  }
  if (config.grayscale !== undefined) x = randomGrayscale(x, need(data.grayscale, 'grayscale'));
  if (config.blur) x = resampleColour(x, need(data.gy, 'gy'), need(data.gx, 'gx'));
  if (config.solarize !== undefined) x = solarizeColour(x, need(data.solarize, 'solarize'));
  if (config.rotate) x = transposeWhere(x, need(data.transpose, 'transpose'));
  if (config.normalize) x = div(sub(x, config.normalize.mean), config.normalize.std);
  return x;
}
