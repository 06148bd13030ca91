/**
 * DINO's ViT block (vision_transformer.py `Block`), pre-norm, no layer scale:
 *
 *   x1 = x + Attention(LN(x; norm1))
 *   y  = x1 + fc2(GELU(fc1(LN(x1; norm2))))        hidden = int(C · mlpRatio)
 *
 * LayerNorm eps 1e-6 (what vit_tiny/small/base pass). Parameters as the
 * official state_dict: norm1.*, attn.qkv.*, attn.proj.*, norm2.*, mlp.fc1.*,
 * mlp.fc2.*. Drop path is optional (needs a key in training).
 */
import type { Sizes } from '../../shape/types.js';
import { split, type Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { pathOf, within, type ApplyContext, type Layer } from '../layer.js';
import { layerNorm, type LayerNormParams } from '../layer-norm.js';
import { mlp, type MlpParams } from '../mlp.js';
import { dropPath } from '../dropout.js';
import { channelsOf, type Tokens } from '../xcit/heads.js';
import { mlpHidden } from '../xcit/class-attention-block.js';
import { vitAttention, type VitAttentionMap, type VitAttentionParams } from './attention.js';

/** A ViT block's parameters. */
export interface VitBlockParams {
  readonly norm1: LayerNormParams<'C'>;
  readonly attn: VitAttentionParams;
  readonly norm2: LayerNormParams<'C'>;
  readonly mlp: MlpParams<'C', 'F', 'C'>;
}

/** Heads, MLP width, LayerNorm eps, qkv bias and drop path of a block. */
export interface VitBlockOptions {
  readonly heads: number;
  /** MLP hidden width = int(C · mlpRatio) (default 4). */
  readonly mlpRatio?: number;
  /** The MLP hidden width itself (overrides mlpRatio; e.g. read from a checkpoint's mlp.fc1.weight). */
  readonly mlpHidden?: number;
  /** LayerNorm eps (default 1e-6). */
  readonly eps?: number;
  readonly qkvBias?: boolean;
  /** Drop-path rate of both residual branches in training (default 0). */
  readonly dropPath?: number;
}

/** A ViT block; `withAttention` also gives the attention map of LN(x; norm1). */
export interface VitBlockLayer extends Layer<VitBlockParams, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  readonly heads: number;
  /** The block's output and its attention map (block(x, return_attention=True) returns the map only). */
  withAttention(p: VitBlockParams, x: Tokens, ctx?: ApplyContext): { readonly y: Tokens; readonly attn: VitAttentionMap };
}

/** DINO's transformer block. */
export function vitBlock(options: VitBlockOptions): VitBlockLayer {
  const ratio = options.mlpRatio ?? 4;
  const norm = layerNorm('C', options.eps ?? 1e-6);
  const attention = vitAttention({ heads: options.heads, ...(options.qkvBias === undefined ? {} : { qkvBias: options.qkvBias }) });
  const ffn = mlp('C', 'F', 'C');
  const drop: Layer<Record<string, never>, ['B', 'N', 'C'], ['B', 'N', 'C']> = dropPath(options.dropPath ?? 0);
  const withAttention = (p: VitBlockParams, x: Tokens, ctx?: ApplyContext) => {
    const { y: a, attn } = attention.withMap(p.attn, norm.apply(p.norm1, x));
    const x1 = add(x, drop.apply({}, a, within(ctx, 'drop_path.attn')));
    const y = add(x1, drop.apply({}, ffn.apply(p.mlp, norm.apply(p.norm2, x1)), within(ctx, 'drop_path.mlp')));
    return { y, attn };
  };
  return {
    heads: options.heads,
    withAttention,
    init(key: Key, sizes: Sizes): VitBlockParams {
      const c = channelsOf('vitBlock', sizes);
      const [ka, km] = split(key);
      const ln = norm.init(key, { C: c });
      return { norm1: ln, attn: attention.init(ka!, { C: c }), norm2: ln, mlp: ffn.init(km!, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) }) };
    },
    apply(p: VitBlockParams, x: Tokens, ctx?: ApplyContext): Tokens {
      const { y, attn } = withAttention(p, x, ctx);
      ctx?.emit(pathOf(within(ctx, 'attn'), 'attention'), attn);
      return y;
    },
  };
}
