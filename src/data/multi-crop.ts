/**
 * Multi-crop view sets (DINO, SwAV, PAWS) for 28×28 grayscale images, and the
 * function that produces them: a few global views and several local views of
 * every image of a batch, as graph ops (see augment/view.ts), so the views can
 * be traced into the same program as the model and the loss, or compiled on
 * their own (compileMultiCrop).
 *
 * Input: the images [B, H, W] and the data of every view (a list, globals
 * first: sampleMultiCrop draws it on the host, multiCropSpecs gives its specs).
 * Output: { global: Images[]; local: Images[] }, one [B, H, W] tensor per view,
 * globals first, in the official order; all global views share one size and
 * all local views another. `stackViews` in ssl/multi-crop.ts stacks them
 * crop-major for the objectives; `withChannel` adds the channel axis
 * ([B, 1, H, W]) the models take.
 *
 * Randomness: view v (globals first, then locals) of a batch draws from
 * foldIn(key, v), image b of it from foldIn(foldIn(key, v), b).
 *
 * Adapting the ImageNet recipes to 28×28 (documented choices):
 * - Output sizes scale with the image: DINO's and SwAV's 224 / 96 become
 *   28 / 12 (96·28/224 = 12); PAWS follows its CIFAR-10 recipe (32 / 18 ->
 *   28 / 16, 18·28/32 = 15.75), which is made for small images.
 * - The crop scale ranges are the official ones: DINO global (0.4, 1), local
 *   (0.05, 0.4); SwAV (0.14, 1) and (0.05, 0.14); PAWS-CIFAR (0.75, 1) and
 *   (0.3, 0.75). Aspect ratios [3/4, 4/3].
 * - Interpolation is bilinear (PIL's, antialiased when shrinking); DINO uses
 *   bicubic.
 * - Blur σ: the official [0.1, 2] pixels at 224 would be [0.0125, 0.25] at 28,
 *   which does nothing; the presets use [0.1, 1] pixels (option blurSigma).
 * - Grayscale images make RandomGrayscale and the saturation and hue jitter
 *   identities; PAWS-CIFAR's Equalize (p 0.2) is not implemented.
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

/** Options of the multi-crop presets: local views, view sizes, blur, normalisation. */
export interface PresetOptions {
  /** Number of local views. */
  readonly localViews?: number;
  /** Output sides of the global and local views. */
  readonly globalSize?: number;
  readonly localSize?: number;
  /** Blur σ range in output pixels (default [0.1, 1]). */
  readonly blurSigma?: Range;
  readonly normalize?: { readonly mean: number; readonly std: number };
}

const BLUR_SIGMA: Range = [0.1, 1.0];

const repeat = <T>(n: number, x: T): T[] => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`multi-crop: the number of local views must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, () => x);
};
const norm = (o: PresetOptions) => (o.normalize ? { normalize: o.normalize } : {});

/**
 * DINO (main_dino.py DataAugmentationDINO): two global views at 28 from scale
 * (0.4, 1), flip 0.5, ColorJitter(0.4, 0.4) with p 0.8; the first blurred
 * always, the second blurred with p 0.1 and solarised with p 0.2; local views
 * at 12 from scale (0.05, 0.4), blurred with p 0.5.
 */
export function dinoCrops(options: PresetOptions = {}): MultiCropConfig {
  const sigma = options.blurSigma ?? BLUR_SIGMA;
  const base = { flip: 0.5, jitter: { p: 0.8, brightness: 0.4, contrast: 0.4 }, ...norm(options) };
  const g = { ...base, size: options.globalSize ?? 28, scale: [0.4, 1] as Range };
  return freeze({
    name: 'dino',
    global: [
      { ...g, blur: { p: 1.0, sigma } },
      { ...g, blur: { p: 0.1, sigma }, solarize: 0.2 },
    ],
    local: repeat(options.localViews ?? 8, { ...base, size: options.localSize ?? 12, scale: [0.05, 0.4] as Range, blur: { p: 0.5, sigma } }),
  });
}

/**
 * SwAV (main_swav.py, MultiCropDataset): nmb_crops [2, 6] at 28 and 12 from
 * scales (0.14, 1) and (0.05, 0.14); every crop: flip 0.5, colour distortion of
 * strength 1 (ColorJitter(0.8, 0.8) with p 0.8), blur with p 0.5.
 */
export function swavCrops(options: PresetOptions = {}): MultiCropConfig {
  const sigma = options.blurSigma ?? BLUR_SIGMA;
  const base = { flip: 0.5, jitter: { p: 0.8, brightness: 0.8, contrast: 0.8 }, blur: { p: 0.5, sigma }, ...norm(options) };
  return freeze({
    name: 'swav',
    global: repeat(2, { ...base, size: options.globalSize ?? 28, scale: [0.14, 1] as Range }),
    local: repeat(options.localViews ?? 6, { ...base, size: options.localSize ?? 12, scale: [0.05, 0.14] as Range }),
  });
}

/**
 * PAWS, CIFAR-10 recipe (suncet src/data_manager.py, paws_train.py): two
 * global views at 28 from scale (0.75, 1) and 6 local views at 16 from scale
 * (0.3, 0.75); every view: flip 0.5, colour distortion of strength 0.5
 * (ColorJitter(0.4, 0.4) with p 0.8), solarisation with p 0.2 (Equalize with
 * p 0.2 is left out). Labelled support images take the global views.
 */
export function pawsCrops(options: PresetOptions = {}): MultiCropConfig {
  const base = { flip: 0.5, jitter: { p: 0.8, brightness: 0.4, contrast: 0.4 }, solarize: 0.2, ...norm(options) };
  return freeze({
    name: 'paws',
    global: repeat(2, { ...base, size: options.globalSize ?? 28, scale: [0.75, 1] as Range }),
    local: repeat(options.localViews ?? 6, { ...base, size: options.localSize ?? 16, scale: [0.3, 0.75] as Range }),
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

/** The views as graph ops, from images [B, H, W] and the traced data of every view (globals first). */
export function multiCropViews(images: Images, data: readonly ViewTensors[], config: MultiCropConfig): Views<Images> {
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

export interface BatchShape extends ImageSize {
  readonly batch: number;
}

/** A compiled program that makes every view of a batch, and the draws to feed it. */
export interface MultiCropRunner {
  readonly config: MultiCropConfig;
  readonly program: Program;
  readonly compiled: CompiledProgram;
  /** Draw the views' parameters from `key` and compute the views of a [batch, H, W] image batch on the backend. */
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
    (images, data) => multiCropViews(images, data as unknown as readonly ViewTensors[], config),
    spec(['B', 'H', 'W'], [shape.batch, shape.height, shape.width], 'images'),
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
