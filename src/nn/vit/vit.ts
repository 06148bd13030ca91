/**
 * DINO's VisionTransformer (vision_transformer.py), num_classes = 0 (the head
 * is the identity: DINO puts its own projection head on top):
 *
 *   t = concat(cls_token, PatchEmbed(x)) + interpolate_pos_encoding(pos_embed, H, W)
 *   t = blocks.k(t) for k = 0 .. depth-1
 *   forward(x) = LN(t; norm)[:, 0]                       the CLS token, [B, C]
 *
 * plus get_last_selfattention (the last block's attention map [B, h, T, T]
 * over T = 1 + Hp·Wp tokens, CLS first) and get_intermediate_layers (the
 * normalised outputs of the last n blocks). Every block's attention map is
 * emitted as 'blocks.<k>.attn.attention'. Parameters as the official
 * state_dict: cls_token [1, 1, C], pos_embed [1, 1 + g², C],
 * patch_embed.proj.*, blocks.k.*, norm.*. Initialisation as the official
 * code: cls_token, pos_embed and every Linear truncated normal (std 0.02),
 * LayerNorm 1/0, the patch Conv2d PyTorch's default.
 */
import type { Tensor } from '../../ir/tensor.js';
import { ShapeError } from '../../shape/errors.js';
import { split, type Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { concat, slice } from '../../ops/slicing.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { list } from '../list.js';
import { parameter } from '../parameter.js';
import { at, record, type Applied } from '../record.js';
import { layerNorm, type LayerNormParams } from '../layer-norm.js';
import { truncNormalInit } from '../init.js';
import { resmlpPatchEmbedInit } from '../resmlp/resmlp.js';
import type { Tokens } from '../xcit/heads.js';
import { headDim } from '../xcit/heads.js';
import { vitBlock, type VitBlockParams } from './block.js';
import type { VitAttentionMap } from './attention.js';
import { patchGrid, vitPatchEmbed, type VitImage, type VitPatchEmbedParams } from './patch-embed.js';
import { interpolatePosEncoding, type PosEmbed } from './pos-embed.js';

/** A ViT: training image side, patch size, channels, width, depth, heads. */
export interface VitConfig {
  /** The training image side (square): the pos_embed grid is imgSize/patchSize. */
  readonly imgSize: number;
  readonly patchSize: number;
  readonly inChans: number;
  readonly embedDim: number;
  readonly depth: number;
  readonly heads: number;
  /** MLP hidden width as a multiple of embedDim (default 4). */
  readonly mlpRatio?: number;
  /** The MLP hidden width itself (overrides mlpRatio). */
  readonly mlpHidden?: number;
  /** qkv_bias (default true). */
  readonly qkvBias?: boolean;
  /** Drop-path rate of the last block; block k gets k/(depth−1) of it, as the official linspace (default 0). */
  readonly dropPathRate?: number;
}

/** A ViT's parameters. */
export interface VitParams {
  readonly cls_token: Tensor<['1a', '1b', 'C']>;
  readonly pos_embed: PosEmbed;
  readonly patch_embed: VitPatchEmbedParams;
  readonly blocks: readonly VitBlockParams[];
  readonly norm: LayerNormParams<'C'>;
}

/** The ViT model: forward gives the normalised CLS token. */
export interface VitModel extends Layer<VitParams, VitImage, ['B', 'C']> {
  readonly config: VitConfig;
  /** The tokens entering the first block: CLS first, positional encoding added, [B, 1 + Hp·Wp, C]. */
  tokens(params: VitParams, x: Tensor<VitImage>, ctx?: ApplyContext): Tokens;
  /** get_last_selfattention: the last block's attention map [B, h, T, T], on the output of the blocks before it. */
  lastSelfAttention(params: VitParams, x: Tensor<VitImage>, ctx?: ApplyContext): VitAttentionMap;
  /** get_intermediate_layers(x, n): LN(t_k; norm) of the last n blocks' outputs, in block order, each [B, T, C]. */
  intermediateLayers(params: VitParams, x: Tensor<VitImage>, n: number, ctx?: ApplyContext): Tokens[];
}

/** A tiny ViT for 28×28×1 images: 4×4 patches (49 tokens + CLS), width 32, 4 blocks of 4 heads. */
export const vitTinyMnist: VitConfig = Object.freeze({ imgSize: 28, patchSize: 4, inChans: 1, embedDim: 32, depth: 4, heads: 4 });
/** DINO's vit_tiny at 224²: patch 16, width 192, 12 blocks, 3 heads. */
export const vitTiny16: VitConfig = Object.freeze({ imgSize: 224, patchSize: 16, inChans: 3, embedDim: 192, depth: 12, heads: 3 });
/** DINO's vit_small at 224²: patch 16, width 384, 12 blocks, 6 heads. */
export const vitSmall16: VitConfig = Object.freeze({ ...vitTiny16, embedDim: 384, heads: 6 });

/** The CLS token of every image: [B, 1, C]. */
function clsTokens(cls: Tensor<['1a', '1b', 'C']>, batch: number): Tokens {
  const c = cls.size('C');
  return broadcastTo(reshape(cls, ['N', 'C'], [1, c]), ['B', 'N', 'C'], [batch, 1, c]) as Tokens;
}

/** The tokens entering the first block: CLS first, then the patches, positional encoding added. */
function vitTokens(patchEmbed: VitPatchEmbedParams, cls: Tensor<['1a', '1b', 'C']>, posEmbed: PosEmbed, x: Tensor<VitImage>, ctx?: ApplyContext): Tokens {
  const patches = vitPatchEmbed(patchEmbed, x, ctx);
  const grid = patchGrid(x.size('H'), x.size('W'), patchEmbed.proj.weight.sizes[2]!);
  const t = concat([clsTokens(cls, x.size('B')), patches], 'N');
  const pos = interpolatePosEncoding(posEmbed, grid, { H: x.size('H'), W: x.size('W') });
  return add(t, broadcastTo(reshape(pos, ['N', 'C'], [pos.size('N'), pos.size('C')]), t.axes, t.sizes) as Tokens);
}

/**
 * DINO's VisionTransformer from its configuration: a record of its parts.
 * Its init is its own, not the record's: the official order draws the patch
 * convolution's weight and bias from two keys of the model's split.
 */
export function vit(config: VitConfig): VitModel {
  const { imgSize, patchSize: p, inChans, embedDim, depth, heads } = config;
  if (![imgSize, p, inChans, embedDim, heads].every((v) => Number.isInteger(v) && v > 0) || !Number.isInteger(depth) || depth < 1) {
    throw new ShapeError(`vit: image size, patch size, channels, width and heads must be positive integers and depth at least 1, got ${JSON.stringify(config)}`);
  }
  headDim('vit', embedDim, heads);
  const g = Math.floor(imgSize / p);
  if (g < 1) throw new ShapeError(`vit: a ${imgSize}² image holds no ${p}×${p} patch`);
  const rate = config.dropPathRate ?? 0;
  const blockLayers = Array.from({ length: depth }, (_, k) =>
    vitBlock({ heads, ...(config.mlpRatio === undefined ? {} : { mlpRatio: config.mlpRatio }), ...(config.mlpHidden === undefined ? {} : { mlpHidden: config.mlpHidden }), ...(config.qkvBias === undefined ? {} : { qkvBias: config.qkvBias }), dropPath: depth === 1 ? 0 : (rate * k) / (depth - 1) }),
  );
  const fields = {
    cls_token: parameter((key) => truncNormalInit(key, ['1a', '1b', 'C'], { '1a': 1, '1b': 1, C: embedDim })),
    pos_embed: parameter((key): PosEmbed => truncNormalInit(key, ['1a', 'N', 'C'], { '1a': 1, N: 1 + g * g, C: embedDim })),
    patch_embed: parameter((key): VitPatchEmbedParams => {
      const [kConv, kBias] = split(key);
      return resmlpPatchEmbedInit(kConv!, kBias!, inChans, embedDim, p);
    }),
    blocks: list(depth, (k) => blockLayers[k]!),
    norm: at<['B', 'N', 'C']>()(layerNorm('C', 1e-6)),
  };
  type VitFields = typeof fields;
  const tokensOf = (f: Applied<VitFields>, x: Tensor<VitImage>, ctx: ApplyContext | undefined): Tokens => vitTokens(f.patch_embed, f.cls_token, f.pos_embed, x, ctx);
  const net = record(fields, (f, x: Tensor<VitImage>, ctx): Tensor<['B', 'C']> => {
    const last = f.norm(f.blocks(tokensOf(f, x, ctx)));
    return reshape(slice(last, 'N', 0, 1), ['B', 'C'], [x.size('B'), embedDim]);
  });
  /** Every block's output (each emits its attention map at blocks.<k>.attn.attention). */
  const outputs = (params: VitParams, x: Tensor<VitImage>, ctx?: ApplyContext): Tokens[] =>
    fields.blocks.outputs(params.blocks, vitTokens(params.patch_embed, params.cls_token, params.pos_embed, x, ctx), within(ctx, 'blocks'));
  return {
    config,
    tokens: (params, x, ctx) => vitTokens(params.patch_embed, params.cls_token, params.pos_embed, x, ctx),
    lastSelfAttention(params, x, ctx) {
      const t = vitTokens(params.patch_embed, params.cls_token, params.pos_embed, x, ctx);
      const before = fields.blocks.outputs(params.blocks, t, within(ctx, 'blocks')).at(-2) ?? t;
      return blockLayers[depth - 1]!.withAttention(params.blocks[depth - 1]!, before, within(within(ctx, 'blocks'), depth - 1)).attn;
    },
    intermediateLayers(params, x, n, ctx) {
      if (!Number.isInteger(n) || n < 1 || n > depth) throw new ShapeError(`vit: get_intermediate_layers needs 1 ≤ n ≤ depth ${depth}, got ${n}`);
      return outputs(params, x, ctx).slice(depth - n).map((t) => fields.norm.apply(params.norm, t));
    },
    init(key: Key): VitParams {
      const [kCls, kPos, kConv, kBias, kBlocks] = split(key, 5);
      return {
        cls_token: fields.cls_token.init(kCls!, {}),
        pos_embed: fields.pos_embed.init(kPos!, {}),
        patch_embed: resmlpPatchEmbedInit(kConv!, kBias!, inChans, embedDim, p),
        blocks: fields.blocks.init(kBlocks!, { C: embedDim }),
        norm: fields.norm.init(key, { C: embedDim }),
      };
    },
    apply: (params, x, ctx) => net.apply(params, x, ctx),
  };
}
