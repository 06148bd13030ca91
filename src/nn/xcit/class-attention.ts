/**
 * Class attention (CaiT, as used by XCiT): only the class token (index 0)
 * queries; it attends over ALL tokens (itself included) with the usual
 * d^-0.5 scale. The other tokens pass through unchanged: the output's rows
 * 1.. are the module's INPUT rows.
 *
 * Parameters as the official state_dict: qkv.weight [3C, C], qkv.bias [3C],
 * proj.weight [C, C], proj.bias [C]. The class token's attention over the
 * tokens, [B, h, N], is emitted as '<path>.attention'.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { einsum } from '../../ops/einsum.js';
import { mul } from '../../ops/elementwise.js';
import { reshape } from '../../ops/layout.js';
import { concat, slice } from '../../ops/slicing.js';
import { softmax } from '../../ops/softmax.js';
import { pathOf, type ApplyContext, type Layer } from '../layer.js';
import { linear, linearApply, type LinearParams } from '../linear.js';
import { channelsOf, headDim, splitQkv, type Tokens } from './heads.js';
import { initQkv, type QkvParams } from './xca.js';

/** Class attention's query, key, value and output projections. */
export interface ClassAttentionParams {
  readonly qkv: QkvParams;
  readonly proj: LinearParams<'C', 'C'>;
}

/** Class attention's heads, qkv bias and scale. */
export interface ClassAttentionOptions {
  readonly heads: number;
  /** qkv_bias (default true, as every XCiT model). */
  readonly qkvBias?: boolean;
  /** qk_scale (default d^-0.5). */
  readonly scale?: number;
}

/** The class token's attention: [B, h, N], each row sums to 1 over N. */
export type ClassAttentionMap = Tensor<['B', 'Hd', 'N']>;

export interface ClassAttentionLayer extends Layer<ClassAttentionParams, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  readonly heads: number;
}

/** Rows [start, stop) of the token axis. */
export const tokenRows = (x: Tokens, start: number, stop: number): Tokens => slice(x, 'N', start, stop);

/** x with row 0 replaced by `first` [B, 1, C] (x itself when it has only that row). */
export function replaceClsRow(first: Tokens, x: Tokens): Tokens {
  const n = x.size('N');
  return n === 1 ? first : concat([first, tokenRows(x, 1, n)], 'N');
}

/** XCiT's class attention: the class token's query against every token's keys. */
export function classAttention(options: ClassAttentionOptions): ClassAttentionLayer {
  const heads = options.heads;
  const qkvBias = options.qkvBias ?? true;
  return {
    heads,
    init(key: Key, sizes: Sizes): ClassAttentionParams {
      const c = channelsOf('classAttention', sizes);
      headDim('classAttention', c, heads);
      const [kq, kp] = split(key);
      return { qkv: initQkv(kq!, c, qkvBias), proj: linear('C', 'C').init(kp!, { C: c }) };
    },
    apply(p: ClassAttentionParams, x: Tokens, ctx?: ApplyContext): Tokens {
      const [b, , c] = x.sizes as [number, number, number];
      const d = headDim('classAttention', c, heads);
      const scale = options.scale ?? d ** -0.5;
      const qkv = linearApply(x, p.qkv.weight, p.qkv.bias, 'C', 'C3') as Tensor<['B', 'N', 'C3']>;
      const [q, k, v] = splitQkv(qkv, heads);
      const qc = reshape(slice(q, 'N', 0, 1), ['B', 'Hd', 'D'], [b, heads, d]);
      const a: ClassAttentionMap = softmax(mul(einsum('B Hd D, B N Hd D -> B Hd N', qc, k), scale), 'N');
      ctx?.emit(pathOf(ctx, 'attention'), a);
      const cls = reshape(einsum('B Hd N, B N Hd D -> B Hd D', a, v), ['B', 'N', 'C'], [b, 1, c]);
      const y0 = linearApply(cls, p.proj.weight, p.proj.bias, 'C', 'C') as Tokens;
      return replaceClsRow(y0, x);
    },
  };
}
