/**
 * Backbones the training command knows, sized from the dataset's images
 * (ImageShape: channels 1 or 3, a square side; MNIST's 1×28×28 by default):
 * each maps images [B, H, W] (grayscale) or [B, C, H, W] to features [B, C]
 * and may accept smaller crops (local views) with the same parameters when the
 * architecture allows it. The channels and side go into the official
 * configs' in_chans and img_size; the widths and depths stay the tiny ones.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import type { ApplyContext } from '../nn/layer.js';
import { reshape } from '../ops/layout.js';
import { mul } from '../ops/elementwise.js';
import { isTensor } from '../ir/tensor.js';
import { mapTree } from '../ir/tree.js';
import { xcit, xcitMnist, type XcitConfig, type XcitParams } from '../nn/xcit/xcit.js';
import { resmlp, resmlpTinyMnist, type ResMlpParams } from '../nn/resmlp/resmlp.js';
import { vit, vitTinyMnist, type VitParams } from '../nn/vit/vit.js';
import { regnet, regnetYTinyMnist, type RegNetParams } from '../nn/regnet/regnet.js';

/** A backbone the trainers offer. */
export type ModelName = 'xcit-tiny' | 'resmlp-tiny' | 'vit-tiny' | 'regnety-tiny';
/** Every backbone the trainers offer. */
export const modelNames: readonly ModelName[] = ['xcit-tiny', 'resmlp-tiny', 'vit-tiny', 'regnety-tiny'];

/** The images a backbone is built for: channels (1 grayscale, 3 RGB) and the side of the square images. */
export interface ImageShape {
  readonly channels: number;
  readonly side: number;
}

/** MNIST's and Fashion-MNIST's images, the default: 1×28×28. */
export const MNIST_IMAGES: ImageShape = Object.freeze({ channels: 1, side: 28 });

/** A batch of images as the backbones take them: grayscale [B, H, W], or [B, C, H, W]. */
export type BackboneImages = Tensor<['B', 'H', 'W']> | Tensor<['B', 'C', 'H', 'W']>;

/** A backbone of the trainers: its name, feature width, init and features. */
export interface Backbone<P> {
  readonly name: ModelName;
  /** The images it was built for (its in_chans and img_size). */
  readonly image: ImageShape;
  /** Width of the features. */
  readonly dim: number;
  /** Whether views smaller than the images (local crops) can go through the same parameters. */
  readonly acceptsLocalViews: boolean;
  /** Every view's side must be a multiple of this (the patch size; 1 for the convolutional RegNetY). */
  readonly sideMultiple: number;
  /** Fresh parameters from a key. */
  init(key: Key): P;
  /** In training mode (ctx.training) BatchNorm layers use batch statistics and emit new running statistics. */
  features(params: P, images: BackboneImages, ctx?: ApplyContext): Tensor<['B', 'C']>;
}

/**
 * The official models draw every Linear weight from a truncated normal with std 0.02, a scale
 * chosen for widths of 192 to 768; at width 32 it shrinks each linear map's output about ninefold,
 * and the class token at initialisation hardly depends on the image (mean cosine similarity 0.9999
 * between MNIST test images). The tiny backbones rescale those weights to `linearInitStd`.
 */
export const tinyLinearInitStd = 0.1;
const officialLinearStd = 0.02;

function rescaleLinearWeights<P>(params: P, std: number): P {
  const factor = std / officialLinearStd;
  return mapTree(params, isTensor, (leaf, path) => (leaf.rank === 2 && /(^|\.)weight$/.test(path) ? mul(leaf as Tensor<string[]>, factor) : leaf)) as P;
}

/** Grayscale [B, H, W] batches as one-channel [B, C, H, W] images (the axis named `channel`); [B, C, H, W] ones as they are. */
function asImage<A extends string = 'C'>(x: BackboneImages, channel: A = 'C' as A): Tensor<['B', A, 'H', 'W']> {
  if (x.rank === 3) return reshape(x, ['B', channel, 'H', 'W'], [x.sizes[0]!, 1, x.sizes[1]!, x.sizes[2]!]);
  return (channel === 'C' ? x : reshape(x, ['B', channel, 'H', 'W'], [...x.sizes])) as Tensor<['B', A, 'H', 'W']>;
}

/** The side of a batch's images (the last axis). */
const sideOf = (x: BackboneImages): number => x.sizes[x.rank - 1]!;

/** Each backbone's side granularity (its patch size): what checkBackboneImages and the view sizes follow. */
const SIDE_MULTIPLE: Readonly<Record<ModelName, number>> = {
  'xcit-tiny': xcitMnist.patchSize,
  'resmlp-tiny': resmlpTinyMnist.patchSize,
  'vit-tiny': vitTinyMnist.patchSize,
  // the stem and two stages each halve the side: at least 8 pixels
  'regnety-tiny': 1,
};
const MIN_SIDE: Readonly<Record<ModelName, number>> = { 'xcit-tiny': 4, 'resmlp-tiny': 4, 'vit-tiny': 4, 'regnety-tiny': 8 };

/** What the backbone accepts, in words (for errors). */
export function acceptedImages(name: ModelName): string {
  const m = SIDE_MULTIPLE[name];
  return `1 (grayscale) or 3 (RGB) channels and square images whose side is ${m > 1 ? `a multiple of ${m} (its patch size)` : `at least ${MIN_SIDE[name]}`}`;
}

/** Undefined when the backbone can be built for these images, else what is wrong. */
export function backboneImagesProblem(name: ModelName, image: ImageShape): string | undefined {
  const { channels, side } = image;
  if (channels !== 1 && channels !== 3) return `${channels} channels`;
  if (!Number.isInteger(side) || side < MIN_SIDE[name] || side % SIDE_MULTIPLE[name] !== 0) return `side ${side}`;
  return undefined;
}

function checkImages(name: ModelName, image: ImageShape): void {
  const problem = backboneImagesProblem(name, image);
  if (problem !== undefined) throw new RangeError(`${name}: cannot take images of ${problem} (${image.channels}x${image.side}x${image.side}); it takes ${acceptedImages(name)}`);
}

/** XCiT for MNIST (conv stem to a 7×7 grid, XCA blocks with LPI, class attention), any square view size that is a multiple of 4. */
export function xcitTiny(config: Partial<XcitConfig> = {}, linearInitStd = tinyLinearInitStd, image: ImageShape = MNIST_IMAGES): Backbone<XcitParams> {
  checkImages('xcit-tiny', image);
  const base = { ...xcitMnist, inChans: image.channels, ...config };
  const bySize = new Map<number, ReturnType<typeof xcit>>();
  const modelFor = (side: number) => {
    if (!bySize.has(side)) bySize.set(side, xcit({ ...base, imgSize: side }));
    return bySize.get(side)!;
  };
  return {
    name: 'xcit-tiny',
    image,
    dim: base.embedDim,
    acceptsLocalViews: true,
    sideMultiple: SIDE_MULTIPLE['xcit-tiny'],
    init: (key) => rescaleLinearWeights(modelFor(image.side).init(key), linearInitStd),
    features: (params, images, ctx) => modelFor(sideOf(images)).features(params, asImage(images, 'Cin'), ctx),
  };
}

/** ResMLP for MNIST (patch 4, 49 tokens at 28²); its cross-patch layer fixes the number of tokens, so global views only. */
export function resmlpTiny(linearInitStd = tinyLinearInitStd, image: ImageShape = MNIST_IMAGES): Backbone<ResMlpParams> {
  checkImages('resmlp-tiny', image);
  const model = resmlp({ ...resmlpTinyMnist, inChans: image.channels, imgSize: image.side });
  return {
    name: 'resmlp-tiny',
    image,
    dim: resmlpTinyMnist.embedDim,
    acceptsLocalViews: false,
    sideMultiple: SIDE_MULTIPLE['resmlp-tiny'],
    init: (key) => rescaleLinearWeights(model.init(key, {}), linearInitStd),
    features: (params, images, ctx) => model.features(params, asImage(images), ctx),
  };
}

/**
 * DINO's ViT for MNIST (patch 4: 7×7 patches + CLS at 28², width 32, 4 blocks of 4 heads); smaller
 * views (local crops) interpolate the positional encoding as DINO does. Features: the CLS token.
 */
export function vitTinyBackbone(linearInitStd = tinyLinearInitStd, image: ImageShape = MNIST_IMAGES): Backbone<VitParams> {
  checkImages('vit-tiny', image);
  const model = vit({ ...vitTinyMnist, inChans: image.channels, imgSize: image.side });
  return {
    name: 'vit-tiny',
    image,
    dim: vitTinyMnist.embedDim,
    acceptsLocalViews: true,
    sideMultiple: SIDE_MULTIPLE['vit-tiny'],
    init: (key) => rescaleLinearWeights(model.init(key, {}), linearInitStd),
    features: (params, images, ctx) => model.apply(params, asImage(images), ctx),
  };
}

/** SEER's RegNetY at MNIST size (stem 8, stages 1×16 and 2×32); convolutional, so any view size. BatchNorm in training mode. */
export function regnetyTinyBackbone(image: ImageShape = MNIST_IMAGES): Backbone<RegNetParams> {
  checkImages('regnety-tiny', image);
  const model = regnet({ ...regnetYTinyMnist, inChans: image.channels });
  return {
    name: 'regnety-tiny',
    image,
    dim: regnetYTinyMnist.stages.at(-1)!.width,
    acceptsLocalViews: true,
    sideMultiple: SIDE_MULTIPLE['regnety-tiny'],
    init: (key) => model.init(key, {}),
    features: (params, images, ctx) => model.apply(params, asImage(images), ctx),
  };
}

/** The backbone of that name, sized for the images (default MNIST's 1×28×28); an error names what it cannot take. */
export function backbone(name: ModelName, image: ImageShape = MNIST_IMAGES): Backbone<unknown> {
  switch (name) {
    case 'xcit-tiny':
      return xcitTiny({}, tinyLinearInitStd, image) as Backbone<unknown>;
    case 'resmlp-tiny':
      return resmlpTiny(tinyLinearInitStd, image) as Backbone<unknown>;
    case 'vit-tiny':
      return vitTinyBackbone(tinyLinearInitStd, image) as Backbone<unknown>;
    case 'regnety-tiny':
      return regnetyTinyBackbone(image) as Backbone<unknown>;
  }
}

/** The side of a view nearest `side` (a real number) that the backbone takes (a multiple of its patch size, at least one patch). */
export function viewSideFor(net: Pick<Backbone<unknown>, 'sideMultiple'>, side: number): number {
  const m = net.sideMultiple;
  return Math.max(m, Math.round(side / m) * m);
}
