/**
 * Backbones the training command knows, for 28×28 grayscale images: each maps
 * images [B, H, W] to features [B, C] and may accept smaller crops (local views)
 * with the same parameters when the architecture allows it.
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

/** A backbone of the trainers: its name, feature width, init and features. */
export interface Backbone<P> {
  readonly name: ModelName;
  /** Width of the features. */
  readonly dim: number;
  /** Whether views smaller than 28×28 (local crops) can go through the same parameters. */
  readonly acceptsLocalViews: boolean;
  /** Fresh parameters from a key. */
  init(key: Key): P;
  /** In training mode (ctx.training) BatchNorm layers use batch statistics and emit new running statistics. */
  features(params: P, images: Tensor<['B', 'H', 'W']>, ctx?: ApplyContext): Tensor<['B', 'C']>;
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

const withChannel = (x: Tensor<['B', 'H', 'W']>): Tensor<['B', 'Cin', 'H', 'W']> => reshape(x, ['B', 'Cin', 'H', 'W'], [x.sizes[0]!, 1, x.sizes[1]!, x.sizes[2]!]);

/** XCiT for MNIST (conv stem to a 7×7 grid, XCA blocks with LPI, class attention), any square view size that is a multiple of 4. */
export function xcitTiny(config: Partial<XcitConfig> = {}, linearInitStd = tinyLinearInitStd): Backbone<XcitParams> {
  const base = { ...xcitMnist, ...config };
  const bySize = new Map<number, ReturnType<typeof xcit>>();
  const modelFor = (side: number) => {
    if (!bySize.has(side)) bySize.set(side, xcit({ ...base, imgSize: side }));
    return bySize.get(side)!;
  };
  return {
    name: 'xcit-tiny',
    dim: base.embedDim,
    acceptsLocalViews: true,
    init: (key) => rescaleLinearWeights(modelFor(28).init(key), linearInitStd),
    features: (params, images, ctx) => modelFor(images.sizes[1]!).features(params, withChannel(images), ctx),
  };
}

/** ResMLP for MNIST (patch 4, 49 tokens); its cross-patch layer fixes the number of tokens, so global views only. */
export function resmlpTiny(linearInitStd = tinyLinearInitStd): Backbone<ResMlpParams> {
  const model = resmlp(resmlpTinyMnist);
  return {
    name: 'resmlp-tiny',
    dim: resmlpTinyMnist.embedDim,
    acceptsLocalViews: false,
    init: (key) => rescaleLinearWeights(model.init(key, {}), linearInitStd),
    features: (params, images, ctx) => model.features(params, reshape(images, ['B', 'C', 'H', 'W'], [images.sizes[0]!, 1, images.sizes[1]!, images.sizes[2]!]), ctx),
  };
}

/** Grayscale images as one-channel [B, C, H, W] images. */
const asImage = (x: Tensor<['B', 'H', 'W']>): Tensor<['B', 'C', 'H', 'W']> => reshape(x, ['B', 'C', 'H', 'W'], [x.sizes[0]!, 1, x.sizes[1]!, x.sizes[2]!]);

/**
 * DINO's ViT for MNIST (patch 4: 7×7 patches + CLS, width 32, 4 blocks of 4 heads); smaller
 * views (local crops) interpolate the positional encoding as DINO does. Features: the CLS token.
 */
export function vitTinyBackbone(linearInitStd = tinyLinearInitStd): Backbone<VitParams> {
  const model = vit(vitTinyMnist);
  return {
    name: 'vit-tiny',
    dim: vitTinyMnist.embedDim,
    acceptsLocalViews: true,
    init: (key) => rescaleLinearWeights(model.init(key, {}), linearInitStd),
    features: (params, images, ctx) => model.apply(params, asImage(images), ctx),
  };
}

/** SEER's RegNetY at MNIST size (stem 8, stages 1×16 and 2×32); convolutional, so any view size. BatchNorm in training mode. */
export function regnetyTinyBackbone(): Backbone<RegNetParams> {
  const model = regnet(regnetYTinyMnist);
  return {
    name: 'regnety-tiny',
    dim: regnetYTinyMnist.stages.at(-1)!.width,
    acceptsLocalViews: true,
    init: (key) => model.init(key, {}),
    features: (params, images, ctx) => model.apply(params, asImage(images), ctx),
  };
}

/** The backbone of that name, sized for 28×28 images. */
export function backbone(name: ModelName): Backbone<unknown> {
  switch (name) {
    case 'xcit-tiny':
      return xcitTiny() as Backbone<unknown>;
    case 'resmlp-tiny':
      return resmlpTiny() as Backbone<unknown>;
    case 'vit-tiny':
      return vitTinyBackbone() as Backbone<unknown>;
    case 'regnety-tiny':
      return regnetyTinyBackbone() as Backbone<unknown>;
  }
}
