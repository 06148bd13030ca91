/**
 * ClassAttentionBlock (XCiT's last blocks): pre-norm class attention and an
 * MLP on the class token, each scaled by a layer-scale gamma (eta·1 at init).
 *
 *   u  = LN(x; norm1);  x1 = x + gamma1 ⊙ CA(u)           (CA copies u's patch rows: x1[:,1:] = x[:,1:] + gamma1 ⊙ u[:,1:])
 *   tokensNorm: x2 = LN(x1; norm2) on every token, else only on row 0
 *   y = x2 + [gamma2 ⊙ MLP(x2[:,0]), x2[:,1:]]
 *
 * The last line reproduces the official code exactly, including its quirk:
 * the residual adds the patch rows to themselves, so y[:,1:] = 2·x2[:,1:].
 * XCiT reads only the class token afterwards, so the quirk never reaches its
 * output, but it is what the reference module returns.
 *
 * Parameters as the official state_dict: gamma1, gamma2 [C], norm1.*,
 * attn.* (ClassAttention), norm2.*, mlp.fc1.*, mlp.fc2.*. The official
 * forward also takes (H, W), which it ignores; this layer needs no grid.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { full } from '../../ops/sources.js';
import { scaleBy } from '../layer-scale.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { layerNorm, type LayerNormParams } from '../layer-norm.js';
import { mlp, type MlpParams } from '../mlp.js';
import { channelsOf, type Tokens } from './heads.js';
import { classAttention, replaceClsRow, tokenRows, type ClassAttentionParams } from './class-attention.js';

/** A class-attention block's parameters. */
export interface ClassAttentionBlockParams {
  readonly gamma1: Tensor<['C']>;
  readonly gamma2: Tensor<['C']>;
  readonly norm1: LayerNormParams<'C'>;
  readonly attn: ClassAttentionParams;
  readonly norm2: LayerNormParams<'C'>;
  readonly mlp: MlpParams<'C', 'F', 'C'>;
}

/** XCiT's class-attention block: width, heads, MLP ratio, LayerScale value. */
export interface ClassAttentionBlockOptions {
  readonly heads: number;
  /** MLP hidden width = int(C · mlpRatio) (default 4). */
  readonly mlpRatio?: number;
  /** The MLP hidden width itself (overrides mlpRatio; e.g. read from a checkpoint's mlp.fc1.weight). */
  readonly mlpHidden?: number;
  /** Layer-scale initial value (default 1). */
  readonly eta?: number;
  /** Normalise every token after attention (true) or only the class token (false, the default). */
  readonly tokensNorm?: boolean;
  /** LayerNorm eps (default 1e-6, as XCiT). */
  readonly eps?: number;
  readonly qkvBias?: boolean;
}

export interface ClassAttentionBlockLayer extends Layer<ClassAttentionBlockParams, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  readonly tokensNorm: boolean;
}

/** int(dim · ratio), as the official code sizes MLPs. */
export const mlpHidden = (dim: number, ratio: number): number => Math.floor(dim * ratio);

/** gamma ⊙ x, gamma over the channel axis. */

/** XCiT's class-attention block: the class token attends to the patches, then an MLP, each behind a LayerScale residual. */
export function classAttentionBlock(options: ClassAttentionBlockOptions): ClassAttentionBlockLayer {
  const ratio = options.mlpRatio ?? 4;
  const eta = options.eta ?? 1;
  const tokensNorm = options.tokensNorm ?? false;
  const norm = layerNorm('C', options.eps ?? 1e-6);
  const attn = classAttention({ heads: options.heads, ...(options.qkvBias === undefined ? {} : { qkvBias: options.qkvBias }) });
  const ffn = mlp('C', 'F', 'C');
  return {
    tokensNorm,
    init(key: Key, sizes: Sizes): ClassAttentionBlockParams {
      const c = channelsOf('classAttentionBlock', sizes);
      const [ka, km] = split(key);
      return {
        gamma1: full(eta, ['C'], [c]),
        gamma2: full(eta, ['C'], [c]),
        norm1: norm.init(key, { C: c }),
        attn: attn.init(ka!, { C: c }),
        norm2: norm.init(key, { C: c }),
        mlp: ffn.init(km!, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) }),
      };
    },
    apply(p: ClassAttentionBlockParams, x: Tokens, ctx?: ApplyContext): Tokens {
      const x1 = add(x, scaleBy(p.gamma1, attn.apply(p.attn, norm.apply(p.norm1, x), within(ctx, 'attn'))));
      const x2 = tokensNorm ? norm.apply(p.norm2, x1) : replaceClsRow(norm.apply(p.norm2, tokenRows(x1, 0, 1)), x1);
      const cls = scaleBy(p.gamma2, ffn.apply(p.mlp, tokenRows(x2, 0, 1)));
      return add(x2, replaceClsRow(cls, x2));
    },
  };
}
