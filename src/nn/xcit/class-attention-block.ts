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
import type { Tensor } from '../../ir/tensor.js';
import { add } from '../../ops/elementwise.js';
import { gamma, scaleBy } from '../layer-scale.js';
import type { Layer } from '../layer.js';
import { layerNorm } from '../layer-norm.js';
import { mlp } from '../mlp.js';
import { at, record, type RecordParams } from '../record.js';
import { channelsOf } from './heads.js';
import { classAttention, replaceClsRow, tokenRows } from './class-attention.js';

/** XCiT's token axes: batch, tokens (class token first where there is one), channels. */
export type TokenShape = ['B', 'N', 'C'];
const tokens = at<TokenShape>();

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

/** What XCiT's two blocks share: layer-scale factors, the LayerNorm (one layer, used as norm1, norm2, ...), the MLP and the attention's options. */
export function blockParts(options: Pick<ClassAttentionBlockOptions, 'heads' | 'eta' | 'eps' | 'qkvBias'>) {
  return {
    /** A fresh layer-scale factor over C, eta at init. */
    gamma: () => gamma('C', options.eta ?? 1),
    norm: tokens(layerNorm('C', options.eps ?? 1e-6)),
    mlp: tokens(mlp('C', 'F', 'C')),
    attention: { heads: options.heads, ...(options.qkvBias === undefined ? {} : { qkvBias: options.qkvBias }) },
  };
}

/** The block's fields in the official state_dict's order. */
export function classAttentionBlockFields(options: ClassAttentionBlockOptions) {
  const part = blockParts(options);
  return { gamma1: part.gamma(), gamma2: part.gamma(), norm1: part.norm, attn: classAttention(part.attention), norm2: part.norm, mlp: part.mlp };
}

/** A class-attention block's parameters: gamma1, gamma2, norm1, attn, norm2, mlp. */
export type ClassAttentionBlockParams = RecordParams<ReturnType<typeof classAttentionBlockFields>>;

export interface ClassAttentionBlockLayer extends Layer<ClassAttentionBlockParams, TokenShape, TokenShape> {
  readonly tokensNorm: boolean;
}

/** int(dim · ratio), as the official code sizes MLPs. */
export const mlpHidden = (dim: number, ratio: number): number => Math.floor(dim * ratio);

/** XCiT's class-attention block: the class token attends to the patches, then an MLP, each behind a LayerScale residual. */
export function classAttentionBlock(options: ClassAttentionBlockOptions): ClassAttentionBlockLayer {
  const ratio = options.mlpRatio ?? 4;
  const tokensNorm = options.tokensNorm ?? false;
  const block = record(classAttentionBlockFields(options), (f, x: Tensor<TokenShape>) => {
    const x1 = add(x, scaleBy(f.gamma1, f.attn(f.norm1(x))));
    const x2 = tokensNorm ? f.norm2(x1) : replaceClsRow(f.norm2(tokenRows(x1, 0, 1)), x1);
    const cls = scaleBy(f.gamma2, f.mlp(tokenRows(x2, 0, 1)));
    return add(x2, replaceClsRow(cls, x2));
  });
  return {
    tokensNorm,
    init(key, sizes) {
      const c = channelsOf('classAttentionBlock', sizes);
      return block.init(key, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) });
    },
    apply: block.apply,
  };
}
