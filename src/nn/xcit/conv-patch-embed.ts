/**
 * ConvPatchEmbed (XCiT): a stem of stride-2 conv3x3 (padding 1, no bias)
 * + BatchNorm stages with GELU between them, instead of one patch-sized
 * convolution. The official code builds it for patch 16 (four stages:
 * 3 -> E/8 -> E/4 -> E/2 -> E) and patch 8 (three stages: 3 -> E/4 -> E/2 -> E);
 * this one builds the same stem for any patch 2^k (k stages, stage i ending on
 * E/2^(k-1-i) channels), so patch 4 (two stages: Cin -> E/2 -> E) serves small
 * images such as MNIST with the same structure and names. The official stem
 * hard-codes 3 input channels; here the input channel count comes from the
 * sizes (axis Cin, 3 for the official models).
 *
 * Parameters as the official nn.Sequential state_dict: proj.<2i>.0.weight
 * [out, in, 3, 3] (conv of stage i) and proj.<2i>.1.{weight, bias,
 * running_mean, running_var, num_batches_tracked} (its BatchNorm); the odd
 * indices are the GELUs (no parameters: empty records). Images are NCHW
 * [B, Cin, H, W]; the output tokens [B, N, C] have n = i·Wp + j.
 */
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { gelu } from '../../ops/activations.js';
import { conv2d } from '../../ops/conv.js';
import { reshape, transposeTo } from '../../ops/layout.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { batchNorm, type BatchNormParams } from '../batch-norm.js';
import { channelsOf, type Grid, type Tokens } from './heads.js';
import { uniformFanIn } from './lpi.js';

/** Images, PyTorch's NCHW. */
export type Images = Tensor<['B', 'Cin', 'H', 'W']>;

/** One stage: conv3x3 (no bias) then BatchNorm, as the official conv3x3 helper (an nn.Sequential). */
export type ConvBnParams = readonly [{ readonly weight: Tensor }, BatchNormParams<string>];

/** Empty parameters of a GELU in the sequence. */
export type NoParams = Readonly<Record<string, never>>;

/** The patch embedding's convolutions and BatchNorms. */
export interface ConvPatchEmbedParams {
  /** `[stage 0, GELU, stage 1, GELU, ..., last stage]`: stage i at index 2i. */
  readonly proj: readonly (ConvBnParams | NoParams)[];
}

/** XCiT's convolutional patch embedding: the patch size. */
export interface ConvPatchEmbedOptions {
  /** The patch size: a power of two >= 2 (8 and 16 are the official ones). */
  readonly patch: number;
}

/** Patch tokens and the grid they came from. */
export interface PatchTokens {
  readonly tokens: Tokens;
  /** The patch grid (Hp, Wp). */
  readonly grid: Grid;
}

export interface ConvPatchEmbedLayer extends Layer<ConvPatchEmbedParams, ['B', 'Cin', 'H', 'W'], ['B', 'N', 'C']> {
  readonly patch: number;
  readonly stages: number;
  /** The tokens and their grid (Hp, Wp), as the official forward returns them. */
  embed(params: ConvPatchEmbedParams, x: Images, ctx?: ApplyContext): PatchTokens;
}

/** Output size of a stride-2 conv3x3 with padding 1. */
export const halve = (n: number): number => Math.floor((n - 1) / 2) + 1;

/** The channel axis after stage i of k: the last is C, the others S1, S2, ... */
const stageAxis = (i: number, k: number): string => (i === k - 1 ? 'C' : `S${i + 1}`);

/** XCiT's convolutional patch embedding: strided 3×3 convolutions with BatchNorm and GELU down to patch tokens. */
export function convPatchEmbed(options: ConvPatchEmbedOptions): ConvPatchEmbedLayer {
  const patch = options.patch;
  const stages = Math.round(Math.log2(patch));
  if (!Number.isInteger(patch) || patch < 2 || 2 ** stages !== patch) throw new ShapeError(`convPatchEmbed: patch ${patch} must be a power of two >= 2 (the official stems are 8 and 16)`, { op: 'convPatchEmbed' });
  const bns = Array.from({ length: stages }, (_, i) => batchNorm(stageAxis(i, stages)));
  const embed = (p: ConvPatchEmbedParams, x: Images, ctx?: ApplyContext): PatchTokens => {
    const proj = within(ctx, 'proj');
    // Channels last through the stem: the channel counts (multiples of 4) are then the innermost
    // axis of every activation and gradient, where the spatial sides (14, 7 for MNIST) are not.
    let z: Tensor = transposeTo(x, ['B', 'H', 'W', 'Cin']);
    let inAxis = 'Cin';
    for (let i = 0; i < stages; i++) {
      const out = stageAxis(i, stages);
      const stage = p.proj[2 * i] as ConvBnParams | undefined;
      if (stage === undefined || !Array.isArray(stage)) throw new ShapeError(`convPatchEmbed: params.proj.${2 * i} must be [conv, batchnorm] for stage ${i} of ${stages} (patch ${patch})`, { op: 'convPatchEmbed' });
      if (i > 0) z = gelu(z);
      const w = stage[0].weight;
      z = conv2d(z, w, { stride: 2, padding: 1 }, { channels: inAxis, out, height: 'H', width: 'W', kh: 'KH', kw: 'KW' });
      z = bns[i]!.apply(stage[1], z, within(within(proj, 2 * i), 1));
      inAxis = out;
    }
    const [b, hp, wp, c] = z.sizes as [number, number, number, number];
    const tokens = reshape(z, ['B', 'N', 'C'], [b, hp * wp, c]);
    return { tokens, grid: { H: hp, W: wp } };
  };
  return {
    patch,
    stages,
    init(key: Key, sizes: Sizes): ConvPatchEmbedParams {
      const e = channelsOf('convPatchEmbed', sizes);
      const cin = sizes['Cin'] ?? 3;
      if (e % 2 ** (stages - 1) !== 0) throw new ShapeError(`convPatchEmbed: embed dim ${e} must be divisible by ${2 ** (stages - 1)} for patch ${patch}`, { op: 'convPatchEmbed', axis: 'C' });
      const keys = split(key, stages);
      const proj: (ConvBnParams | NoParams)[] = [];
      let from = cin;
      for (let i = 0; i < stages; i++) {
        const to = e / 2 ** (stages - 1 - i);
        const axis = stageAxis(i, stages);
        const inAxis = i === 0 ? 'Cin' : stageAxis(i - 1, stages);
        if (i > 0) proj.push({});
        proj.push([{ weight: uniformFanIn(keys[i]!, [axis, inAxis, 'KH', 'KW'], [to, from, 3, 3], from * 9) }, bns[i]!.init(keys[i]!, { [axis]: to })]);
        from = to;
      }
      return { proj };
    },
    apply: (p, x, ctx) => embed(p, x, ctx).tokens,
    embed,
  };
}
