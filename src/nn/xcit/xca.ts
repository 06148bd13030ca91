/**
 * XCA, cross-covariance attention (XCiT, El-Nouby et al. 2021): attention
 * between CHANNELS instead of tokens. Per head, q and k are L2-normalised
 * along the token axis, the d×d map A = softmax(τ_h · q̂ k̂ᵀ) (no 1/√d: the
 * learned per-head temperature τ replaces it) mixes the channels of v at every
 * token. Cost is linear in N: no N×N tensor is ever formed.
 *
 * Parameters as the official state_dict: temperature [h, 1, 1],
 * qkv.weight [3C, C], qkv.bias [3C], proj.weight [C, C], proj.bias [C].
 * The attention map [B, h, d, d] is emitted as '<path>.attention'.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { einsum } from '../../ops/einsum.js';
import { mul } from '../../ops/elementwise.js';
import { broadcastTo, rename, reshape } from '../../ops/layout.js';
import { l2Normalize } from '../../ops/normalization.js';
import { softmax } from '../../ops/softmax.js';
import { full } from '../../ops/sources.js';
import { pathOf, type ApplyContext, type Layer } from '../layer.js';
import { linear, linearApply, type LinearParams } from '../linear.js';
import { channelsOf, headDim, mergeHeads, splitQkv, type Tokens } from './heads.js';

/** The qkv projection C -> 3C (bias optional, as qkv_bias). */
export interface QkvParams {
  readonly weight: Tensor<['C3', 'C']>;
  readonly bias?: Tensor<['C3']>;
}

/** XCA's temperature, qkv and output projections. */
export interface XcaParams {
  /** Per-head temperature, stored [h, 1, 1] as in PyTorch. */
  readonly temperature: Tensor<['Hd', '1a', '1b']>;
  readonly qkv: QkvParams;
  readonly proj: LinearParams<'C', 'C'>;
}

/** Cross-covariance attention's heads and qkv bias. */
export interface XcaOptions {
  readonly heads: number;
  /** qkv_bias (default true, as every XCiT model). */
  readonly qkvBias?: boolean;
}

/** The attention map of XCA: [B, h, d, d], rows (axis D) sum to 1 over E. */
export type XcaAttention = Tensor<['B', 'Hd', 'D', 'E']>;

export interface XcaLayer extends Layer<XcaParams, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  readonly heads: number;
}

/** Initialise the qkv projection (trunc normal 0.02, zero bias) for C channels. */
export function initQkv(key: Key, channels: number, bias: boolean): QkvParams {
  return linear('C', 'C3', { bias }).init(key, { C: channels, C3: 3 * channels }) as QkvParams;
}

/** XCA's map: softmax over E of temperature[h] · Σ_n q̂[b,n,h,D] k̂[b,n,h,E]. */
export function xcaAttention(q: Tensor<['B', 'N', 'Hd', 'D']>, k: Tensor<['B', 'N', 'Hd', 'D']>, temperature: Tensor<['Hd', '1a', '1b']>): XcaAttention {
  const qn = l2Normalize(q, 'N');
  const kn = rename(l2Normalize(k, 'N'), { D: 'E' });
  const logits = einsum('B N Hd D, B N Hd E -> B Hd D E', qn, kn);
  const tau = reshape(temperature, ['Hd'], [temperature.sizes[0]!]);
  return softmax(mul(logits, broadcastTo(tau, logits.axes, logits.sizes) as XcaAttention), 'E');
}

/** Cross-covariance attention: attention between channels (d×d per head) with a learned temperature, L2-normalised queries and keys. */
export function xca(options: XcaOptions): XcaLayer {
  const heads = options.heads;
  const qkvBias = options.qkvBias ?? true;
  return {
    heads,
    init(key: Key, sizes: Sizes): XcaParams {
      const c = channelsOf('xca', sizes);
      headDim('xca', c, heads);
      const [kq, kp] = split(key);
      return {
        temperature: full(1, ['Hd', '1a', '1b'], [heads, 1, 1]),
        qkv: initQkv(kq!, c, qkvBias),
        proj: linear('C', 'C').init(kp!, { C: c }),
      };
    },
    apply(p: XcaParams, x: Tokens, ctx?: ApplyContext): Tokens {
      headDim('xca', x.size('C'), heads);
      const qkv = linearApply(x, p.qkv.weight, p.qkv.bias, 'C', 'C3') as Tensor<['B', 'N', 'C3']>;
      const [q, k, v] = splitQkv(qkv, heads);
      const a = xcaAttention(q, k, p.temperature);
      ctx?.emit(pathOf(ctx, 'attention'), a);
      const o = einsum('B Hd D E, B N Hd E -> B N Hd D', a, rename(v, { D: 'E' }));
      return linearApply(mergeHeads(o), p.proj.weight, p.proj.bias, 'C', 'C') as Tokens;
    },
  };
}
