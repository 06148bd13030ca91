/**
 * The XCiT model (El-Nouby et al., "XCiT: Cross-Covariance Image
 * Transformers", 2021), as facebookresearch/xcit's XCiT class:
 *
 *   tokens, (Hp, Wp) = ConvPatchEmbed(images)
 *   tokens += PositionalEncodingFourier(B, Hp, Wp)            (use_pos)
 *   depth × XCABlock(tokens, Hp, Wp)
 *   prepend the learned cls token
 *   clsAttnLayers × ClassAttentionBlock
 *   logits = head(LayerNorm(tokens)[:, 0])
 *
 * Parameter names are the official state_dict's (cls_token, patch_embed.*,
 * pos_embeder.*, blocks.<i>.*, cls_attn_blocks.<i>.*, norm.*, head.*), so a
 * checkpoint maps onto the tree by path. Initialisation follows the official
 * _init_weights from an explicit key: Linear weights trunc-normal std 0.02
 * (absolute bounds ±2) with zero biases, LayerNorm 1/0, cls_token
 * trunc-normal 0.02, layer-scale gammas eta·1, temperatures 1, convolutions
 * at PyTorch's default (uniform ±1/√fan_in), BatchNorm 1/0 with running
 * statistics 0/1.
 *
 * Attention maps are emitted by path ('blocks.<i>.attn.attention' [B, h, d, d],
 * 'cls_attn_blocks.<i>.attn.attention' [B, h, N]) and, in training, the new
 * BatchNorm statistics ('patch_embed.proj.<2i>.1.*', 'blocks.<i>.local_mp.bn.*'):
 * runLayer returns them and withUpdates folds the statistics back.
 */
import type { Shape, Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { concat, slice } from '../../ops/slicing.js';
import type { ApplyContext, Layer } from '../layer.js';
import { layerNorm, type LayerNormParams } from '../layer-norm.js';
import { linear, type LinearParams } from '../linear.js';
import { list } from '../list.js';
import { parameter } from '../parameter.js';
import { at, initFields, record, type Applied, type Forward } from '../record.js';
import { truncNormalInit } from '../init.js';
import { channelsOf, onGrid, type Grid, type Tokens } from './heads.js';
import { convPatchEmbed, halve, type ConvPatchEmbedParams, type Images } from './conv-patch-embed.js';
import { fourierPositions, type FourierPositionsParams } from './fourier-positions.js';
import { xcaBlock, type XcaBlockParams } from './xca-block.js';
import { classAttentionBlock, type ClassAttentionBlockParams } from './class-attention-block.js';

/** An XCiT network: patch size, width, depth, heads, class-attention layers, classes. */
export interface XcitConfig {
  /** Input image size (square, or [H, W]). */
  readonly imgSize: number | readonly [number, number];
  /** Patch size: a power of two (the official models use 16 and 8; see ConvPatchEmbed). */
  readonly patchSize: number;
  readonly inChans: number;
  readonly numClasses: number;
  readonly embedDim: number;
  readonly depth: number;
  readonly numHeads: number;
  readonly mlpRatio: number;
  /** Layer-scale initial value of every block. */
  readonly eta: number;
  /** Class-attention blocks normalise every token (true in all official XCiT models). */
  readonly tokensNorm: boolean;
  readonly clsAttnLayers: number;
  /** Add the Fourier positional encoding. */
  readonly usePos: boolean;
  /** hidden_dim of PositionalEncodingFourier (32 in the official code). */
  readonly posHiddenDim: number;
  /** Drop-path rate of every XCA block in training (the official code uses the same rate for all blocks). */
  readonly dropPathRate: number;
  readonly qkvBias: boolean;
  /** LayerNorm eps (1e-6). */
  readonly eps: number;
}

const official = { inChans: 3, numClasses: 1000, imgSize: 224, mlpRatio: 4, eta: 1.0, tokensNorm: true, clsAttnLayers: 2, usePos: true, posHiddenDim: 32, dropPathRate: 0, qkvBias: true, eps: 1e-6 } as const;

/** XCiT-T12/16 (xcit_tiny_12_p16): 192 channels, 12 blocks, 4 heads, eta 1.0 (about 6.7M parameters). */
export const xcitT12: XcitConfig = { ...official, patchSize: 16, embedDim: 192, depth: 12, numHeads: 4 };

/** XCiT-S12/16 (xcit_small_12_p16): 384 channels, 12 blocks, 8 heads, eta 1.0 (about 26M parameters). */
export const xcitS12: XcitConfig = { ...official, patchSize: 16, embedDim: 384, depth: 12, numHeads: 8 };

/**
 * A laptop-sized XCiT for 28×28×1 images (MNIST, Fashion-MNIST), 10 classes.
 * Patch 4 uses the same convolutional stem with two stride-2 stages
 * (1 -> 16 -> 32 channels), a 7×7 grid of 49 tokens; 32 channels, 2 XCA
 * blocks, 4 heads, MLP ratio 2, 2 class-attention blocks, Fourier features of
 * hidden_dim 16.
 */
export const xcitMnist: XcitConfig = {
  imgSize: 28,
  patchSize: 4,
  inChans: 1,
  numClasses: 10,
  embedDim: 32,
  depth: 2,
  numHeads: 4,
  mlpRatio: 2,
  eta: 1.0,
  tokensNorm: true,
  clsAttnLayers: 2,
  usePos: true,
  posHiddenDim: 16,
  dropPathRate: 0,
  qkvBias: true,
  eps: 1e-6,
};

/** An XCiT network's parameters. */
export interface XcitParams {
  /** [1, 1, C]. */
  readonly cls_token: Tensor<['1a', '1b', 'C']>;
  readonly patch_embed: ConvPatchEmbedParams;
  readonly pos_embeder: FourierPositionsParams;
  readonly blocks: readonly XcaBlockParams[];
  readonly cls_attn_blocks: readonly ClassAttentionBlockParams[];
  readonly norm: LayerNormParams<'C'>;
  readonly head: LinearParams<'C', 'K'>;
}

export interface XcitModel extends Layer<XcitParams, ['B', 'Cin', 'H', 'W'], ['B', 'K']> {
  readonly config: XcitConfig;
  /** The patch grid (Hp, Wp) for the configured image size. */
  readonly grid: { readonly H: number; readonly W: number };
  /** Parameters from a key (sizes come from the config; the argument is ignored). */
  init(key: Key, sizes?: Sizes): XcitParams;
  /** forward_features: the normalised class token [B, C]. */
  features(params: XcitParams, x: Images, ctx?: ApplyContext): Tensor<['B', 'C']>;
}

/** The patch grid (Hp, Wp) of an image H×W after the stem's `stages` halvings. */
export function xcitGrid(h: number, w: number, stages: number): Grid {
  return Array.from({ length: stages }).reduce<Grid>((g) => ({ H: halve(g.H), W: halve(g.W) }), { H: h, W: w });
}

/** The learned class token [1, 1, C], truncated normal (std 0.02). */
const clsToken = parameter((key, sizes) => truncNormalInit(key, ['1a', '1b', 'C'], { '1a': 1, '1b': 1, C: channelsOf('xcit', sizes) }));

/** The class token of every image: [B, 1, C]. */
function clsTokens(cls: Tensor<['1a', '1b', 'C']>, batch: number): Tokens {
  const c = cls.size('C');
  return broadcastTo(reshape(cls, ['N', 'C'], [1, c]), ['B', 'N', 'C'], [batch, 1, c]) as Tokens;
}

/**
 * An XCiT network (patch embedding, positional encoding, XCA blocks,
 * class-attention blocks) from its configuration: a record of its parts, its
 * XCA blocks on the patch grid of the input (so the record is made per call,
 * as the XCA block makes its own).
 */
export function xcit(config: XcitConfig): XcitModel {
  const [imgH, imgW] = typeof config.imgSize === 'number' ? [config.imgSize, config.imgSize] : config.imgSize;
  const stem = convPatchEmbed({ patch: config.patchSize });
  const pos = fourierPositions({ hiddenDim: config.posHiddenDim });
  const xcaBlocks = Array.from({ length: config.depth }, () =>
    xcaBlock({ heads: config.numHeads, mlpRatio: config.mlpRatio, eta: config.eta, eps: config.eps, qkvBias: config.qkvBias, dropPath: config.dropPathRate }),
  );
  const clsOptions = { heads: config.numHeads, mlpRatio: config.mlpRatio, eta: config.eta, eps: config.eps, qkvBias: config.qkvBias, tokensNorm: config.tokensNorm };
  const c = config.embedDim;
  const grid = xcitGrid(imgH, imgW, stem.stages);
  // Field order is the official state_dict's, and with it the keys: split(key, 6) over all but the keyless norm.
  const fieldsOn = (g: Grid) => ({
    cls_token: clsToken,
    patch_embed: stem,
    pos_embeder: pos,
    blocks: list(config.depth, (i) => onGrid(xcaBlocks[i]!, g)),
    cls_attn_blocks: list(config.clsAttnLayers, () => classAttentionBlock(clsOptions)),
    norm: at<['B', 'N', 'C']>()(layerNorm('C', config.eps)),
    head: at<['B', 'C'], ['B', 'K']>()(linear('C', 'K')),
  });
  type XcitFields = ReturnType<typeof fieldsOn>;
  const forwardFeatures = (f: Applied<XcitFields>, x: Images): Tensor<['B', 'C']> => {
    const b = x.size('B');
    const tokens = f.patch_embed(x);
    const t = config.usePos ? add(tokens, pos.tokens(f.pos_embeder, b, xcitGrid(x.size('H'), x.size('W'), stem.stages))) : tokens;
    const all = f.cls_attn_blocks(concat([clsTokens(f.cls_token, b), f.blocks(t)], 'N'));
    // norm(x)[:, 0]: LayerNorm is per token, so normalising row 0 alone is the same.
    return reshape(f.norm(slice(all, 'N', 0, 1)), ['B', 'C'], [b, c]);
  };
  const onImage = <Out extends Shape>(forward: Forward<XcitFields, ['B', 'Cin', 'H', 'W'], Out>) => (p: XcitParams, x: Images, ctx?: ApplyContext): Tensor<Out> =>
    record(fieldsOn(xcitGrid(x.size('H'), x.size('W'), stem.stages)), forward).apply(p, x, ctx);

  return {
    config,
    grid,
    init(key: Key): XcitParams {
      if (!Number.isInteger(c) || c % config.numHeads !== 0) throw new ShapeError(`xcit: embed_dim ${c} must be divisible by num_heads ${config.numHeads}`, { op: 'xcit', axis: 'C' });
      return initFields(fieldsOn(grid), key, { C: c, Cin: config.inChans, K: config.numClasses });
    },
    features: onImage(forwardFeatures),
    apply: onImage((f, x) => f.head(forwardFeatures(f, x))),
  };
}
