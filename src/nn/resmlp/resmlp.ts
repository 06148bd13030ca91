/**
 * The ResMLP model (`resmlp_models` in deit/resmlp_models.py):
 *
 *   t = Conv2d(x; patch_embed.proj, kernel p, stride p)   [B, E, H/p, W/p] -> tokens [B, N, C], n = i·(W/p) + j
 *   t = blocks.k(t) for k = 0 .. depth-1                  (resmlpBlock)
 *   f = mean_n Affine(t; norm)                            [B, C]
 *   logits = Linear(f; head)                              [B, K]
 *
 * Images are [B, C, H, W] (C = input channels); tokens are [B, N, C] with C the
 * embedding width. Parameters are named as the official state_dict
 * (patch_embed.proj.weight [E, C, p, p], blocks.0.attn.weight, norm.alpha,
 * head.weight [K, C], ...). Initialisation as the official code: every Linear
 * truncated normal (std 0.02) with zero bias, Affine 1/0, layer scale
 * init_scale; the patch-embedding Conv2d keeps PyTorch's default
 * (kaiming-uniform a=√5: weight and bias uniform in ±1/√fan_in), since the
 * official _init_weights touches only Linear and LayerNorm.
 */
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { mul, sub } from '../../ops/elementwise.js';
import { reshape, transposeTo } from '../../ops/layout.js';
import { uniform } from '../../ops/random.js';
import { mean } from '../../ops/statistics.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { conv2d } from '../conv.js';
import { linear, type LinearParams } from '../linear.js';
import { list } from '../list.js';
import { at, record, type Applied } from '../record.js';
import { affine, type AffineParams } from './affine.js';
import { resmlpHidden, resmlpBlock, type ResMlpBlockParams, type ResMlpTokens } from './resmlp-block.js';

/** ResMLP's input images: batch, channels, height, width. */
export type ResMlpImage = ['B', 'C', 'H', 'W'];
/** ResMLP's class scores: batch, classes. */
export type ResMlpLogits = ['B', 'K'];

/** A ResMLP network: image size, patch size, width, depth, classes. */
export interface ResMlpConfig {
  /** Image side (square) or [height, width]. */
  readonly imgSize: number | readonly [number, number];
  readonly patchSize: number;
  readonly inChans: number;
  readonly embedDim: number;
  readonly depth: number;
  readonly numClasses: number;
  /** The blocks' layer-scale init_values (official name init_scale). */
  readonly initScale: number;
  /** MLP hidden width as a multiple of embedDim (official: 4). */
  readonly mlpRatio?: number;
  /** Drop-path rate of every block (official drop_path_rate, the same for all blocks). */
  readonly dropPathRate?: number;
}

/** A tiny ResMLP for 28×28×1 MNIST images: 4×4 patches (49 tokens), width 32, 2 blocks. */
export const resmlpTinyMnist: ResMlpConfig = Object.freeze({ imgSize: 28, patchSize: 4, inChans: 1, embedDim: 32, depth: 2, numClasses: 10, initScale: 0.1 });

/** ResMLP-S12 of the paper (resmlp_12): 224², patch 16, width 384, 12 blocks, init_scale 0.1. */
export const resmlpS12: ResMlpConfig = Object.freeze({ imgSize: 224, patchSize: 16, inChans: 3, embedDim: 384, depth: 12, numClasses: 1000, initScale: 0.1 });
/** ResMLP-S24 (resmlp_24): 24 blocks, init_scale 1e-5. */
export const resmlpS24: ResMlpConfig = Object.freeze({ ...resmlpS12, depth: 24, initScale: 1e-5 });
/** ResMLP-S36 (resmlp_36): 36 blocks, init_scale 1e-6. */
export const resmlpS36: ResMlpConfig = Object.freeze({ ...resmlpS12, depth: 36, initScale: 1e-6 });
/** ResMLP-B24 (resmlpB_24): patch 8, width 768, 24 blocks, init_scale 1e-6. */
export const resmlpB24: ResMlpConfig = Object.freeze({ ...resmlpS12, patchSize: 8, embedDim: 768, depth: 24, initScale: 1e-6 });

/** ResMLP's patch embedding (a strided convolution). */
export interface ResMlpPatchEmbedParams {
  readonly proj: { readonly weight: Tensor<['E', 'C', 'KH', 'KW']>; readonly bias: Tensor<['E']> };
}

/** A ResMLP network's parameters. */
export interface ResMlpParams {
  readonly patch_embed: ResMlpPatchEmbedParams;
  readonly blocks: readonly ResMlpBlockParams[];
  readonly norm: AffineParams<'C'>;
  readonly head: LinearParams<'C', 'K'>;
}

export interface ResMlpModel extends Layer<ResMlpParams, ResMlpImage, ResMlpLogits> {
  readonly config: ResMlpConfig;
  /** Tokens after the patch embedding: [B, N, C], n = i·(W/p) + j. */
  embed(params: ResMlpParams, x: Tensor<ResMlpImage>, ctx?: ApplyContext): Tensor<ResMlpTokens>;
  /** forward_features: the mean over tokens of the normalised last block's output, [B, C]. */
  features(params: ResMlpParams, x: Tensor<ResMlpImage>, ctx?: ApplyContext): Tensor<['B', 'C']>;
}

/** The image height and width a ResMLP configuration takes. */
export function resmlpImageSides(config: ResMlpConfig): [number, number] {
  return typeof config.imgSize === 'number' ? [config.imgSize, config.imgSize] : [config.imgSize[0], config.imgSize[1]];
}

/** Number of tokens of the configured image size. */
export function resmlpNumPatches(config: ResMlpConfig): number {
  const [h, w] = resmlpImageSides(config);
  return Math.floor(h / config.patchSize) * Math.floor(w / config.patchSize);
}

/** PyTorch's default Linear/Conv2d initialisation: uniform in ±1/√fan_in. */
export function torchDefaultUniform<const S extends string[]>(key: Key, axes: S, sizes: Sizes, fanIn: number): Tensor<S> {
  const bound = 1 / Math.sqrt(fanIn);
  return sub(mul(uniform(key, axes, sizes), 2 * bound), bound) as Tensor<S>;
}

/** The patch embedding's convolution weight and bias, PyTorch's default initialisation from one key each. */
export function resmlpPatchEmbedInit(kConv: Key, kBias: Key, inChans: number, embedDim: number, p: number): ResMlpPatchEmbedParams {
  const fanIn = inChans * p * p;
  return {
    proj: {
      weight: torchDefaultUniform(kConv, ['E', 'C', 'KH', 'KW'], { E: embedDim, C: inChans, KH: p, KW: p }, fanIn),
      bias: torchDefaultUniform(kBias, ['E'], { E: embedDim }, fanIn),
    },
  };
}

/** ResMLP's patch embedding: a p×p convolution of stride p, its output's grid flattened to tokens n = i·(W/p) + j. */
export function resmlpPatchEmbed(inChans: number, embedDim: number, p: number): Layer<ResMlpPatchEmbedParams, ResMlpImage, ResMlpTokens> {
  const conv = conv2d('C', 'E', { kernel: p, stride: p });
  return {
    init: (key) => {
      const [kConv, kBias] = split(key);
      return resmlpPatchEmbedInit(kConv!, kBias!, inChans, embedDim, p);
    },
    apply(params, x, ctx) {
      const t = transposeTo(conv.apply(params.proj, x, within(ctx, 'proj')), ['B', 'H', 'W', 'E']);
      const [b, hp, wp, e] = t.sizes as [number, number, number, number];
      return reshape(t, ['B', 'N', 'C'], [b, hp * wp, e]);
    },
  };
}

/**
 * A ResMLP network (patch embedding, blocks, pooling, classifier) from its
 * configuration: a record of its parts. Its init is its own, not the
 * record's: the official order draws the patch convolution's weight and bias
 * from two keys of the model's split, where the record rule would give the
 * patch embedding one.
 */
export function resmlp(config: ResMlpConfig): ResMlpModel {
  const { patchSize: p, inChans, embedDim, depth, numClasses } = config;
  if (![p, inChans, embedDim, numClasses].every((v) => Number.isInteger(v) && v > 0) || !Number.isInteger(depth) || depth < 0) {
    throw new ShapeError(`resmlp: patch size, channels, width and classes must be positive integers and depth a non-negative integer, got ${JSON.stringify(config)}`);
  }
  const blockOptions = { initValues: config.initScale, ...(config.mlpRatio === undefined ? {} : { mlpRatio: config.mlpRatio }), ...(config.dropPathRate === undefined ? {} : { dropPath: config.dropPathRate }) };
  const fields = {
    patch_embed: resmlpPatchEmbed(inChans, embedDim, p),
    blocks: list(depth, () => resmlpBlock(blockOptions)),
    norm: at<ResMlpTokens>()(affine('C')),
    head: at<['B', 'C'], ResMlpLogits>()(linear('C', 'K')),
  };
  const pooled = (f: Applied<Omit<typeof fields, 'head'>>, x: Tensor<ResMlpImage>): Tensor<['B', 'C']> => mean(f.norm(f.blocks(f.patch_embed(x))), 'N');
  const features = record(fields, pooled);
  const net = record(fields, (f, x: Tensor<ResMlpImage>) => f.head(pooled(f, x)));
  return {
    config,
    embed: (params, x, ctx) => fields.patch_embed.apply(params.patch_embed, x, within(ctx, 'patch_embed')),
    features: (params, x, ctx) => features.apply(params, x, ctx),
    init(key: Key): ResMlpParams {
      const [kConv, kBias, kBlocks, kHead] = split(key, 4);
      const tokens = { N: resmlpNumPatches(config), C: embedDim, D: resmlpHidden(embedDim, config.mlpRatio) };
      return {
        patch_embed: resmlpPatchEmbedInit(kConv!, kBias!, inChans, embedDim, p),
        blocks: fields.blocks.init(kBlocks!, tokens),
        norm: fields.norm.init(key, { C: embedDim }),
        head: fields.head.init(kHead!, { C: embedDim, K: numClasses }),
      };
    },
    apply: (params, x, ctx) => net.apply(params, x, ctx),
  };
}
