/**
 * Multi-crop view sets (DINO, SwAV, PAWS) for grayscale and RGB images, and the
 * function that produces them: a few global views and several local views of
 * every image of a batch, as graph ops (see augment/view.ts), so the views can
 * be traced into the same program as the model and the loss, or compiled on
 * their own (compileMultiCrop).
 *
 * Input: the images [B, H, W] (grayscale) or [B, C, H, W] (RGB) and the data of
 * every view (a list, globals first: sampleMultiCrop draws it on the host,
 * multiCropSpecs gives its specs).
 * Output: { global: X[]; local: X[] }, one tensor per view with the input's axes,
 * globals first, in the official order; all global views share one size and
 * all local views another. `stackViews` in ssl/multi-crop.ts stacks them
 * crop-major for the objectives; `withChannel` adds the channel axis
 * ([B, 1, H, W]) the models take.
 *
 * Randomness: view v (globals first, then locals) of a batch draws from
 * foldIn(key, v), image b of it from foldIn(foldIn(key, v), b).
 *
 * Adapting the ImageNet recipes to small images (documented choices):
 * - Output sizes scale with the image side s (option side, default 28): the
 *   global views are s, DINO's and SwAV's local views round(96·s/224) (28 -> 12,
 *   32 -> 14); PAWS follows its CIFAR-10 recipe (32 / 18), locals round(18·s/32)
 *   (28 -> 16, 32 -> 18), which is made for small images.
 * - The crop scale ranges are the official ones: DINO global (0.4, 1), local
 *   (0.05, 0.4); SwAV (0.14, 1) and (0.05, 0.14); PAWS-CIFAR (0.75, 1) and
 *   (0.3, 0.75). Aspect ratios [3/4, 4/3].
 * - Interpolation is bilinear (PIL's, antialiased when shrinking); DINO uses
 *   bicubic.
 * - Blur σ: the official [0.1, 2] pixels at 224 would be [0.0125, 0.25] at 28,
 *   which does nothing; the presets use [0.1, 1] pixels (option blurSigma).
 * - Grayscale images (channels 1, the default) make RandomGrayscale and the
 *   saturation and hue jitter identities, so those recipes leave them out; RGB
 *   (channels 3) takes the full ColorJitter(b, c, s, h) with p 0.8 and
 *   RandomGrayscale p 0.2 of each paper. PAWS-CIFAR's Equalize (p 0.2) is not implemented.
 * - No normalisation by default (option normalize, e.g. MNIST's
 *   { mean: 0.1307, std: 0.3081 }).
 * - Local view counts: DINO 8 (local_crops_number), SwAV 6, PAWS 6 (option localViews).
 * - PAWS' labelled support images take the global views (supervised_views = 2).
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace, type Program } from '../ir/trace.js';
import { reshape } from '../ops/layout.js';
import { compile, type CompileOptions, type CompiledProgram } from '../compile/compile.js';
import { run as interpretProgram } from '../ops/interpret.js';
import { foldIn, type Key } from '../runtime/prng.js';
import type { Range } from './augment/crop.js';
import type { Images } from './augment/resample.js';
import { DINO_COLOUR_JITTER, type ColourImages, type ColourJitterConfig } from './augment/colour.js';
import { augmentView, checkViewConfig, outputSize, sampleView, viewSpecs, type ImageSize, type ViewConfig, type ViewDraws, type ViewSpecs, type ViewTensors, type ViewValues } from './augment/view.js';

/** A multi-crop recipe: its global and local views. */
export interface MultiCropConfig {
  readonly name: string;
  /** One config per global view (DINO's two differ in blur and solarisation). */
  readonly global: readonly ViewConfig[];
  /** One config per local view. */
  readonly local: readonly ViewConfig[];
}

/** A batch's views: the global ones, then the local ones. */
export interface Views<T> {
  readonly global: readonly T[];
  readonly local: readonly T[];
}

/** Options of the multi-crop presets: the images' channels and side, local views, view sizes, blur, normalisation. */
export interface PresetOptions {
  /** Channels of the images: 1 (grayscale, the default) or 3 (RGB: the full colour recipe). */
  readonly channels?: number;
  /** Side of the (square) source images the default view sizes scale with (default 28). */
  readonly side?: number;
  /** Number of local views. */
  readonly localViews?: number;
  /** Probability of a horizontal flip in every view (default DEFAULT_FLIP, the recipes'). */
  readonly flip?: number;
  /** Output sides of the global and local views. */
  readonly globalSize?: number;
  readonly localSize?: number;
  /** Blur σ range in output pixels (default [0.1, 1]). */
  readonly blurSigma?: Range;
  /** Crop scale ranges of the global and local views (default: the recipe's). */
  readonly globalScale?: Range;
  readonly localScale?: Range;
  /** RGB only: the ColorJitter strengths and p (default: the recipe's) and RandomGrayscale's p (default 0.2). */
  readonly colourJitter?: ColourJitterConfig;
  readonly grayscale?: number;
  readonly normalize?: { readonly mean: number; readonly std: number };
}

const BLUR_SIGMA: Range = [0.1, 1.0];

const repeat = <T>(n: number, x: T): T[] => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`multi-crop: the number of local views must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, () => x);
};
/** The recipes' probability of a horizontal flip (DINO's, SwAV's and PAWS' RandomHorizontalFlip). */
export const DEFAULT_FLIP = 0.5;

const norm = (o: PresetOptions) => (o.normalize ? { normalize: o.normalize } : {});

/** Each recipe's local view side at its reference image side: DINO's and SwAV's 96 at 224, PAWS-CIFAR's 18 at 32. */
const LOCAL_AT: Readonly<Record<'dino' | 'swav' | 'paws', { readonly local: number; readonly side: number }>> = {
  dino: { local: 96, side: 224 },
  swav: { local: 96, side: 224 },
  paws: { local: 18, side: 32 },
};

/** A recipe's local view side scaled to images of this side, unrounded: its local size times side / its reference side (DINO at 32: 13.71). */
export function scaledLocalSide(recipe: keyof typeof LOCAL_AT, side: number): number {
  if (!Number.isInteger(side) || side < 1) throw new RangeError(`multi-crop: the image side must be a positive integer, got ${side}`);
  const r = LOCAL_AT[recipe];
  return (r.local * side) / r.side;
}

/** The default local view side of a recipe for images of this side: scaledLocalSide rounded (DINO: 28 -> 12, 32 -> 14). */
export function localViewSide(recipe: keyof typeof LOCAL_AT, side: number): number {
  return Math.max(1, Math.round(scaledLocalSide(recipe, side)));
}

/** The view sizes of a preset: the global views the image's side, the local ones localViewSide's. */
function viewSizes(o: PresetOptions, recipe: keyof typeof LOCAL_AT): { readonly global: number; readonly local: number } {
  const side = o.side ?? 28;
  return { global: o.globalSize ?? side, local: o.localSize ?? localViewSide(recipe, side) };
}

/**
 * The colour part of a recipe: on grayscale, brightness and contrast jitter of these
 * strengths (the rest is the identity); on RGB, the full ColorJitter and RandomGrayscale p 0.2.
 */
function colourSteps(o: PresetOptions, jitter: ColourJitterConfig): { jitter: { p: number; brightness: number; contrast: number } } | { colourJitter: ColourJitterConfig; grayscale: number } {
  const c = o.channels ?? 1;
  if (c === 3) return { colourJitter: o.colourJitter ?? jitter, grayscale: o.grayscale ?? 0.2 };
  if (c !== 1) throw new RangeError(`multi-crop: images must have 1 (grayscale) or 3 (RGB) channels, got ${c}`);
  return { jitter: { p: jitter.p, brightness: jitter.brightness, contrast: jitter.contrast } };
}

/** SwAV's and PAWS' get_color_distortion(s): ColorJitter(0.8s, 0.8s, 0.8s, 0.2s) with p 0.8. */
const colourDistortion = (s: number): ColourJitterConfig => ({ brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s, p: 0.8 });

/**
 * DINO (main_dino.py DataAugmentationDINO): two global views at the image's side
 * (28) from scale (0.4, 1), flip 0.5, ColorJitter(0.4, 0.4, 0.2, 0.1) with p 0.8
 * and RandomGrayscale p 0.2 (brightness and contrast only on grayscale); the
 * first blurred always, the second blurred with p 0.1 and solarised with p 0.2;
 * local views at round(96·side/224) (12) from scale (0.05, 0.4), blurred with p 0.5.
 */
export function dinoCrops(options: PresetOptions = {}): MultiCropConfig {
  const sigma = options.blurSigma ?? BLUR_SIGMA;
  const sizes = viewSizes(options, 'dino');
  const base = { flip: options.flip ?? DEFAULT_FLIP, ...colourSteps(options, DINO_COLOUR_JITTER), ...norm(options) };
  const g = { ...base, size: sizes.global, scale: options.globalScale ?? ([0.4, 1] as Range) };
  return freeze({
    name: 'dino',
    global: [
      { ...g, blur: { p: 1.0, sigma } },
      { ...g, blur: { p: 0.1, sigma }, solarize: 0.2 },
    ],
    local: repeat(options.localViews ?? 8, { ...base, size: sizes.local, scale: options.localScale ?? ([0.05, 0.4] as Range), blur: { p: 0.5, sigma } }),
  });
}

/**
 * SwAV (main_swav.py, MultiCropDataset): nmb_crops [2, 6] at the side (28) and
 * round(96·side/224) (12) from scales (0.14, 1) and (0.05, 0.14); every crop:
 * flip 0.5, colour distortion of strength 1 (ColorJitter(0.8, 0.8, 0.8, 0.2)
 * with p 0.8, RandomGrayscale p 0.2; brightness and contrast only on
 * grayscale), blur with p 0.5.
 */
export function swavCrops(options: PresetOptions = {}): MultiCropConfig {
  const sigma = options.blurSigma ?? BLUR_SIGMA;
  const sizes = viewSizes(options, 'swav');
  const base = { flip: options.flip ?? DEFAULT_FLIP, ...colourSteps(options, colourDistortion(1)), blur: { p: 0.5, sigma }, ...norm(options) };
  return freeze({
    name: 'swav',
    global: repeat(2, { ...base, size: sizes.global, scale: options.globalScale ?? ([0.14, 1] as Range) }),
    local: repeat(options.localViews ?? 6, { ...base, size: sizes.local, scale: options.localScale ?? ([0.05, 0.14] as Range) }),
  });
}

/**
 * PAWS, CIFAR-10 recipe (suncet src/data_manager.py, paws_train.py): two
 * global views at the side (28) from scale (0.75, 1) and 6 local views at
 * round(18·side/32) (16) from scale (0.3, 0.75); every view: flip 0.5, colour
 * distortion of strength 0.5 (ColorJitter(0.4, 0.4, 0.4, 0.1) with p 0.8,
 * RandomGrayscale p 0.2; brightness and contrast only on grayscale),
 * solarisation with p 0.2 (Equalize with p 0.2 is left out). Labelled support
 * images take the global views.
 */
export function pawsCrops(options: PresetOptions = {}): MultiCropConfig {
  const sizes = viewSizes(options, 'paws');
  const base = { flip: options.flip ?? DEFAULT_FLIP, ...colourSteps(options, colourDistortion(0.5)), solarize: 0.2, ...norm(options) };
  return freeze({
    name: 'paws',
    global: repeat(2, { ...base, size: sizes.global, scale: options.globalScale ?? ([0.75, 1] as Range) }),
    local: repeat(options.localViews ?? 6, { ...base, size: sizes.local, scale: options.localScale ?? ([0.3, 0.75] as Range) }),
  });
}

function freeze(c: MultiCropConfig): MultiCropConfig {
  checkMultiCrop(c);
  return Object.freeze({ name: c.name, global: Object.freeze([...c.global]), local: Object.freeze([...c.local]) });
}

/** Validate: at least one global view; every view valid; globals share a size, locals share a size. */
export function checkMultiCrop(config: MultiCropConfig, src?: ImageSize): void {
  if (config.global.length < 1) throw new RangeError(`multi-crop ${config.name}: needs at least one global view`);
  [...config.global, ...config.local].forEach((v) => checkViewConfig(v, src));
  for (const [kind, views] of [['global', config.global], ['local', config.local]] as const) {
    const sizes = new Set(views.map((v) => `${outputSize(v).height}x${outputSize(v).width}`));
    if (sizes.size > 1) throw new RangeError(`multi-crop ${config.name}: the ${kind} views must share one size, got ${[...sizes].join(', ')}`);
  }
}

/** Every view's config in draw order (globals, then locals). */
const allViews = (config: MultiCropConfig): readonly ViewConfig[] => [...config.global, ...config.local];

const splitViews = <T>(config: MultiCropConfig, items: readonly T[]): Views<T> => ({
  global: items.slice(0, config.global.length),
  local: items.slice(config.global.length),
});

/** One batch's draws for every view of a recipe. */
export interface MultiCropSample {
  /**
   * The graph data of every view, globals first (feed to a program traced with
   * multiCropSpecs). One flat list, never empty, so it flattens the same way as
   * the specs whatever the number of local views.
   */
  readonly values: readonly ViewValues[];
  readonly draws: Views<ViewDraws>;
}

/** Draw every view's parameters for n images of size `src` (view v from foldIn(key, v)). */
export function sampleMultiCrop(config: MultiCropConfig, key: Key, n: number, src: ImageSize): MultiCropSample {
  const samples = allViews(config).map((v, i) => sampleView(foldIn(key, i), n, v, src));
  return { values: samples.map((s) => s.values), draws: splitViews(config, samples.map((s) => s.draws)) };
}

/** Specs for the graph data of every view, globals first (a tree matching sampleMultiCrop's values). */
export function multiCropSpecs(config: MultiCropConfig, n: number, src: ImageSize): readonly ViewSpecs[] {
  checkMultiCrop(config, src);
  return allViews(config).map((v, i) => viewSpecs(v, n, src, i < config.global.length ? `global${i}` : `local${i - config.global.length}`));
}

/** The views as graph ops, from images [B, H, W] or [B, C, H, W] and the traced data of every view (globals first). */
export function multiCropViews<X extends Images | ColourImages>(images: X, data: readonly ViewTensors[], config: MultiCropConfig): Views<X> {
  const views = allViews(config);
  if (data.length !== views.length) {
    throw new RangeError(`multiCropViews: ${config.name} has ${config.global.length} global and ${config.local.length} local views, the data holds ${data.length} views`);
  }
  return splitViews(config, views.map((v, i) => augmentView(images, data[i]!, v)));
}

/** [B, H, W] -> [B, Cin, H, W] with Cin = 1, the layout the models take. */
export function withChannel(x: Images): Tensor<['B', 'Cin', 'H', 'W']> {
  return reshape(x, ['B', 'Cin', 'H', 'W'], [x.size('B'), 1, x.size('H'), x.size('W')]);
}

/** A batch of images: its size and the images' size; channels absent: grayscale [B, H, W], else [B, C, H, W]. */
export interface BatchShape extends ImageSize {
  readonly batch: number;
  readonly channels?: number;
}

/** The spec of a batch of images: [B, H, W] when `channels` is absent, else [B, C, H, W]. */
export function imagesSpec(shape: BatchShape, name = 'images') {
  return shape.channels === undefined
    ? spec(['B', 'H', 'W'], [shape.batch, shape.height, shape.width], name)
    : spec(['B', 'C', 'H', 'W'], [shape.batch, shape.channels, shape.height, shape.width], name);
}

/** A compiled program that makes every view of a batch, and the draws to feed it. */
export interface MultiCropRunner {
  readonly config: MultiCropConfig;
  readonly program: Program;
  readonly compiled: CompiledProgram;
  /** Draw the views' parameters from `key` and compute the views of a [batch, H, W] (or [batch, C, H, W]) image batch on the backend. */
  run(images: ArrayLike<number>, key: Key): Promise<Views<Float64Array> & { readonly draws: Views<ViewDraws> }>;
  /** The same in the float64 reference interpreter. */
  reference(images: ArrayLike<number>, key: Key): Views<Float64Array> & { readonly draws: Views<ViewDraws> };
  /** Release the compiled program. */
  destroy(): void;
}

/** The multi-crop views of one batch shape as a compiled program of its own (one pipeline). */
export function compileMultiCrop(config: MultiCropConfig, shape: BatchShape, options: CompileOptions = {}): MultiCropRunner {
  const src = { height: shape.height, width: shape.width };
  const program = trace(
    (images: Images | ColourImages, data) => multiCropViews(images, data as unknown as readonly ViewTensors[], config),
    imagesSpec(shape) as ReturnType<typeof spec<['B', 'H', 'W']>>,
    multiCropSpecs(config, shape.batch, src),
  ) as unknown as Program;
  const compiled = compile(program, options);
  const unpack = (out: unknown, sample: MultiCropSample) => {
    const o = out as Views<{ data: Float64Array }>;
    return { global: o.global.map((v) => v.data), local: o.local.map((v) => v.data), draws: sample.draws };
  };
  return {
    config,
    program,
    compiled,
    async run(images, key) {
      const sample = sampleMultiCrop(config, key, shape.batch, src);
      return unpack(await (compiled.run as (...a: unknown[]) => Promise<unknown>)(images, sample.values), sample);
    },
    reference(images, key) {
      const sample = sampleMultiCrop(config, key, shape.batch, src);
      return unpack((interpretProgram as (p: Program, ...a: unknown[]) => unknown)(program, images, sample.values), sample);
    },
    destroy: () => compiled.destroy(),
  };
}
