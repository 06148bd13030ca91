/**
 * DINO's ViT self-attention (vision_transformer.py `Attention`): multi-head
 * attention between TOKENS with the fixed scale d^-0.5 (no normalisation of q
 * and k, no temperature, unlike XCA):
 *
 *   attn[b, h, n, m] = softmax_m(scale · Σ_j q[b, n, h, j] k[b, m, h, j])
 *   y = proj(Σ_m attn[b, h, n, m] v[b, m, h, ·], heads merged)
 *
 * The qkv channels are laid out as XCiT's (heads.ts). Parameters as the
 * official state_dict: qkv.weight [3C, C], qkv.bias [3C], proj.weight [C, C],
 * proj.bias [C]. `apply` emits the map [B, h, N, M] as '<path>.attention'.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { einsum } from '../../ops/einsum.js';
import { mul } from '../../ops/elementwise.js';
import { rename } from '../../ops/layout.js';
import { softmax } from '../../ops/softmax.js';
import { pathOf, type ApplyContext, type Layer } from '../layer.js';
import { linear, linearApply, type LinearParams } from '../linear.js';
import { channelsOf, headDim, mergeHeads, splitQkv, type Tokens } from '../xcit/heads.js';
import { initQkv, type QkvParams } from '../xcit/xca.js';

/** The attention's qkv and output projections. */
export interface VitAttentionParams {
  readonly qkv: QkvParams;
  readonly proj: LinearParams<'C', 'C'>;
}

/** Token-to-token attention weights [B, h, N, M]: each row (fixed b, h, n) sums to 1 over M. */
export type VitAttentionMap = Tensor<['B', 'Hd', 'N', 'M']>;

/** Heads, qkv bias and scale of the attention. */
export interface VitAttentionOptions {
  readonly heads: number;
  /** qkv_bias (default true, as vit_tiny/small/base). */
  readonly qkvBias?: boolean;
  /** qk_scale (default d^-0.5). */
  readonly scale?: number;
}

/** The attention layer; `withMap` also returns the attention weights. */
export interface VitAttentionLayer extends Layer<VitAttentionParams, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  readonly heads: number;
  /** The output and the attention map (the module's two return values). */
  withMap(p: VitAttentionParams, x: Tokens): { readonly y: Tokens; readonly attn: VitAttentionMap };
}

/** softmax over M of scale · q·k, per head. */
export function tokenAttention(q: Tensor<['B', 'N', 'Hd', 'D']>, k: Tensor<['B', 'N', 'Hd', 'D']>, scale: number): VitAttentionMap {
  const logits = einsum('B N Hd D, B M Hd D -> B Hd N M', q, rename(k, { N: 'M' }));
  return softmax(mul(logits, scale), 'M');
}

/** DINO's multi-head self-attention over tokens. */
export function vitAttention(options: VitAttentionOptions): VitAttentionLayer {
  const heads = options.heads;
  const qkvBias = options.qkvBias ?? true;
  const withMap = (p: VitAttentionParams, x: Tokens) => {
    const d = headDim('vitAttention', x.size('C'), heads);
    const qkv = linearApply(x, p.qkv.weight, p.qkv.bias, 'C', 'C3') as Tensor<['B', 'N', 'C3']>;
    const [q, k, v] = splitQkv(qkv, heads);
    const attn = tokenAttention(q, k, options.scale ?? d ** -0.5);
    const o = einsum('B Hd N M, B M Hd D -> B N Hd D', attn, rename(v, { N: 'M' }));
    return { y: linearApply(mergeHeads(o), p.proj.weight, p.proj.bias, 'C', 'C') as Tokens, attn };
  };
  return {
    heads,
    withMap,
    init(key: Key, sizes: Sizes): VitAttentionParams {
      const c = channelsOf('vitAttention', sizes);
      headDim('vitAttention', c, heads);
      const [kq, kp] = split(key);
      return { qkv: initQkv(kq!, c, qkvBias), proj: linear('C', 'C').init(kp!, { C: c }) };
    },
    apply(p: VitAttentionParams, x: Tokens, ctx?: ApplyContext): Tokens {
      const { y, attn } = withMap(p, x);
      ctx?.emit(pathOf(ctx, 'attention'), attn);
      return y;
    },
  };
}
