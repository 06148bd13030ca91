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
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { full } from '../../ops/sources.js';
import { scaleBy } from '../layer-scale.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { mlp, type MlpParams } from '../mlp.js';
import { dropPath } from '../dropout.js';
import { affine, type AffineParams } from './affine.js';
import { crossPatch, type CrossPatchParams } from './cross-patch.js';

/** ResMLP's tokens: batch, patches, channels. */
export type ResMlpTokens = ['B', 'N', 'C'];

/** A ResMLP block's parameters. */
export interface ResMlpBlockParams {
  readonly norm1: AffineParams<'C'>;
  readonly attn: CrossPatchParams<'N'>;
  readonly gamma_1: Tensor<['C']>;
  readonly norm2: AffineParams<'C'>;
  readonly mlp: MlpParams<'C', 'D', 'C'>;
  readonly gamma_2: Tensor<['C']>;
}

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
  const initValues = options.initValues ?? 1e-4;
  const ratio = options.mlpRatio ?? 4;
  const norm1 = affine('C');
  const attn = crossPatch('N');
  const norm2 = affine('C');
  const channelMlp = mlp('C', 'D');
  // dropPath returns an ActivationLayer, whose typed apply omits the context it reads: use it as a Layer.
  const drop: Layer<Record<string, never>, ResMlpTokens, ResMlpTokens> = dropPath(options.dropPath ?? 0);
  return {
    init(key: Key, sizes: Sizes): ResMlpBlockParams {
      const c = sizes['C'];
      const n = sizes['N'];
      if (c === undefined || n === undefined) throw new ShapeError(`resmlpBlock: init needs sizes for C (channels) and N (tokens), got ${JSON.stringify(sizes)}`);
      const all = { ...sizes, D: sizes['D'] ?? resmlpHidden(c, ratio) };
      const [kAttn, kMlp] = split(key);
      return {
        norm1: norm1.init(key, all),
        attn: attn.init(kAttn!, all),
        gamma_1: full(initValues, ['C'], all),
        norm2: norm2.init(key, all),
        mlp: channelMlp.init(kMlp!, all),
        gamma_2: full(initValues, ['C'], all),
      };
    },
    apply(p: ResMlpBlockParams, x: Tensor<ResMlpTokens>, ctx?: ApplyContext): Tensor<ResMlpTokens> {
      const z = attn.apply(p.attn, norm1.apply(p.norm1, x, within(ctx, 'norm1')), within(ctx, 'attn'));
      const x1 = add(x, drop.apply({}, scaleBy(p.gamma_1, z), within(ctx, 'drop_path.0')));
      const m = channelMlp.apply(p.mlp, norm2.apply(p.norm2, x1, within(ctx, 'norm2')), within(ctx, 'mlp'));
      return add(x1, drop.apply({}, scaleBy(p.gamma_2, m), within(ctx, 'drop_path.1')));
    },
  };
}
