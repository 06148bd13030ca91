/**
 * ResMLP's residual block (`layers_scale_mlp_blocks` in deit/resmlp_models.py):
 *
 *   x = x + gamma_1 ⊙ crossPatch(Affine(x; norm1))         tokens mixed, per channel
 *   x = x + gamma_2 ⊙ MLP(Affine(x; norm2))                channels mixed, per token
 *
 * on tokens [B, N, C], MLP = fc2(GELU(fc1(.))) with hidden width 4·C (axis D).
 * Parameters are named as the official state_dict: norm1.alpha, norm1.beta,
 * attn.weight [N', N], attn.bias [N], gamma_1 [C], norm2.*, mlp.fc1.weight
 * [D, C], mlp.fc1.bias, mlp.fc2.weight [C, D], mlp.fc2.bias, gamma_2 [C].
 * Initialisation as the official code: Linear weights truncated normal with
 * std 0.02 and zero biases, Affine 1/0, both gammas init_values.
 */
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { add } from '../../ops/elementwise.js';
import { gamma, scaleBy } from '../layer-scale.js';
import { within, type Layer } from '../layer.js';
import { mlp } from '../mlp.js';
import { dropPath } from '../dropout.js';
import { at, record, type RecordParams } from '../record.js';
import { affine } from './affine.js';
import { crossPatch } from './cross-patch.js';

/** ResMLP's tokens: batch, patches, channels. */
export type ResMlpTokens = ['B', 'N', 'C'];
const tokens = at<ResMlpTokens>();

/** The block's fields in the official state_dict's order. */
export function resmlpBlockFields(initValues: number) {
  return {
    norm1: tokens(affine('C')),
    attn: tokens(crossPatch('N')),
    gamma_1: gamma('C', initValues),
    norm2: tokens(affine('C')),
    mlp: tokens(mlp('C', 'D')),
    gamma_2: gamma('C', initValues),
  };
}

/** A ResMLP block's parameters: norm1, attn, gamma_1, norm2, mlp, gamma_2. */
export type ResMlpBlockParams = RecordParams<ReturnType<typeof resmlpBlockFields>>;

/** A ResMLP block: LayerScale's initial value, MLP ratio, drop path. */
export interface ResMlpBlockOptions {
  /** Initial value of both layer-scale vectors (official constructor default 1e-4; ResMLP-S12 uses 0.1). */
  readonly initValues?: number;
  /** Hidden width of the MLP as a multiple of C (official: 4). */
  readonly mlpRatio?: number;
  /** Drop-path rate of both residual branches in training (default 0). */
  readonly dropPath?: number;
}

/** A ResMLP block as a layer on tokens. */
export type ResMlpBlock = Layer<ResMlpBlockParams, ResMlpTokens, ResMlpTokens>;

/** The MLP hidden width for channel width c: int(ratio · c), as the official code. */
export const resmlpHidden = (c: number, ratio = 4): number => Math.floor(ratio * c);

/** A ResMLP block: cross-patch linear and per-channel MLP, each behind an Affine and a LayerScale residual. */
export function resmlpBlock(options: ResMlpBlockOptions = {}): ResMlpBlock {
  const ratio = options.mlpRatio ?? 4;
  // dropPath returns an ActivationLayer, whose typed apply omits the context it reads: use it as a Layer.
  const drop: Layer<Record<string, never>, ResMlpTokens, ResMlpTokens> = dropPath(options.dropPath ?? 0);
  const block = record(resmlpBlockFields(options.initValues ?? 1e-4), (f, x: Tensor<ResMlpTokens>, ctx) => {
    const x1 = add(x, drop.apply({}, scaleBy(f.gamma_1, f.attn(f.norm1(x))), within(ctx, 'drop_path.0')));
    return add(x1, drop.apply({}, scaleBy(f.gamma_2, f.mlp(f.norm2(x1))), within(ctx, 'drop_path.1')));
  });
  return {
    init(key, sizes) {
      const c = sizes['C'];
      const n = sizes['N'];
      if (c === undefined || n === undefined) throw new ShapeError(`resmlpBlock: init needs sizes for C (channels) and N (tokens), got ${JSON.stringify(sizes)}`);
      return block.init(key, { ...sizes, D: sizes['D'] ?? resmlpHidden(c, ratio) });
    },
    apply: block.apply,
  };
}
