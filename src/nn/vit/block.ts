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
import type { Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { at, record, type Applied } from '../record.js';
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

/** A block's fields with this attention layer, in the official state_dict's order (the norms keyless: attn and mlp get split(key)). */
function vitBlockFields(attn: Layer<VitAttentionParams, ['B', 'N', 'C'], ['B', 'N', 'C']>, eps: number) {
  return { norm1: at<['B', 'N', 'C']>()(layerNorm('C', eps)), attn, norm2: at<['B', 'N', 'C']>()(layerNorm('C', eps)), mlp: at<['B', 'N', 'C']>()(mlp('C', 'F', 'C')) };
}

/** DINO's transformer block: a record of norm1, attn, norm2, mlp. */
export function vitBlock(options: VitBlockOptions): VitBlockLayer {
  const ratio = options.mlpRatio ?? 4;
  const eps = options.eps ?? 1e-6;
  const attention = vitAttention({ heads: options.heads, ...(options.qkvBias === undefined ? {} : { qkvBias: options.qkvBias }) });
  const drop: Layer<Record<string, never>, ['B', 'N', 'C'], ['B', 'N', 'C']> = dropPath(options.dropPath ?? 0);
  const forward = (f: Applied<ReturnType<typeof vitBlockFields>>, x: Tokens, ctx: ApplyContext | undefined): Tokens => {
    const x1 = add(x, drop.apply({}, f.attn(f.norm1(x)), within(ctx, 'drop_path.attn')));
    return add(x1, drop.apply({}, f.mlp(f.norm2(x1)), within(ctx, 'drop_path.mlp')));
  };
  // attention.apply emits the map at attn.attention; withAttention returns it instead, from an attn field that keeps it.
  const block = record(vitBlockFields(attention, eps), forward);
  const withAttention = (p: VitBlockParams, x: Tokens, ctx?: ApplyContext) => {
    const maps: VitAttentionMap[] = [];
    const keep = (pa: VitAttentionParams, t: Tokens): Tokens => {
      const { y, attn } = attention.withMap(pa, t);
      maps.push(attn);
      return y;
    };
    const keeping = { ...attention, apply: keep };
    const y = record(vitBlockFields(keeping, eps), forward).apply(p, x, ctx);
    return { y, attn: maps[0]! };
  };
  return {
    heads: options.heads,
    withAttention,
    init(key: Key, sizes: Sizes): VitBlockParams {
      const c = channelsOf('vitBlock', sizes);
      return block.init(key, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) });
    },
    apply: block.apply,
  };
}
