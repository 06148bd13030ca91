/**
 * XCABlock: XCiT's main block, three pre-norm residual branches, each
 * scaled by a layer-scale gamma (eta·1 at init), in this order:
 *
 *   x = x + gamma1 ⊙ XCA(LN(x; norm1))
 *   x = x + gamma3 ⊙ LPI(LN(x; norm3), H, W)        (norm3 / gamma3 come second)
 *   x = x + gamma2 ⊙ MLP(LN(x; norm2))              MLP hidden = int(C · mlpRatio)
 *
 * LayerNorm eps 1e-6. Parameters as the official state_dict: gamma1, gamma2,
 * gamma3 [C], norm1.*, attn.* (XCA), norm2.*, mlp.fc1.*, mlp.fc2.*, norm3.*,
 * local_mp.* (LPI). Drop path (stochastic depth) is optional and needs a key
 * in training.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { add } from '../../ops/elementwise.js';
import { full } from '../../ops/sources.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { layerNorm, type LayerNormParams } from '../layer-norm.js';
import { mlp, type MlpParams } from '../mlp.js';
import { dropPath } from '../dropout.js';
import { channelsOf, gridFor, type Grid, type GridLayer, type Tokens } from './heads.js';
import { xca, type XcaParams } from './xca.js';
import { lpi, type LpiParams } from './lpi.js';
import { mlpHidden } from './class-attention-block.js';
import { scaleBy } from '../layer-scale.js';

/** An XCiT block's parameters. */
export interface XcaBlockParams {
  readonly gamma1: Tensor<['C']>;
  readonly gamma2: Tensor<['C']>;
  readonly gamma3: Tensor<['C']>;
  readonly norm1: LayerNormParams<'C'>;
  readonly attn: XcaParams;
  readonly norm2: LayerNormParams<'C'>;
  readonly mlp: MlpParams<'C', 'F', 'C'>;
  readonly norm3: LayerNormParams<'C'>;
  readonly local_mp: LpiParams;
}

/** An XCiT block: width, heads, MLP ratio, LayerScale value. */
export interface XcaBlockOptions {
  readonly heads: number;
  /** MLP hidden width = int(C · mlpRatio) (default 4). */
  readonly mlpRatio?: number;
  /** The MLP hidden width itself (overrides mlpRatio; e.g. read from a checkpoint's mlp.fc1.weight). */
  readonly mlpHidden?: number;
  /** Layer-scale initial value (default 1). */
  readonly eta?: number;
  /** LayerNorm eps (default 1e-6). */
  readonly eps?: number;
  readonly qkvBias?: boolean;
  /** Drop-path rate of the three residual branches in training (default 0). */
  readonly dropPath?: number;
  /** The token grid used by `apply` (default: square). */
  readonly grid?: Grid;
}

/** XCiT's block: cross-covariance attention, local patch interaction and an MLP, each behind a LayerScale residual. */
export function xcaBlock(options: XcaBlockOptions): GridLayer<XcaBlockParams> {
  const ratio = options.mlpRatio ?? 4;
  const eta = options.eta ?? 1;
  const norm = layerNorm('C', options.eps ?? 1e-6);
  const attn = xca({ heads: options.heads, ...(options.qkvBias === undefined ? {} : { qkvBias: options.qkvBias }) });
  const local = lpi();
  const ffn = mlp('C', 'F', 'C');
  // ActivationLayer's apply is declared without the context that dropPath needs: call it as a plain Layer.
  const drop: Layer<Record<string, never>, ['B', 'N', 'C'], ['B', 'N', 'C']> = dropPath(options.dropPath ?? 0);
  const applyGrid = (p: XcaBlockParams, x: Tokens, grid: Grid, ctx?: ApplyContext): Tokens => {
    const g = gridFor('xcaBlock', x.size('N'), grid);
    const branch = (name: string, y: Tokens) => drop.apply({}, y, within(ctx, `drop_path.${name}`));
    const x1 = add(x, branch('attn', scaleBy(p.gamma1, attn.apply(p.attn, norm.apply(p.norm1, x), within(ctx, 'attn')))));
    const x2 = add(x1, branch('local_mp', scaleBy(p.gamma3, local.applyGrid(p.local_mp, norm.apply(p.norm3, x1), g, within(ctx, 'local_mp')))));
    return add(x2, branch('mlp', scaleBy(p.gamma2, ffn.apply(p.mlp, norm.apply(p.norm2, x2)))));
  };
  return {
    grid: options.grid,
    init(key: Key, sizes: Sizes): XcaBlockParams {
      const c = channelsOf('xcaBlock', sizes);
      const [ka, km, kl] = split(key, 3);
      const ln = norm.init(key, { C: c });
      return {
        gamma1: full(eta, ['C'], [c]),
        gamma2: full(eta, ['C'], [c]),
        gamma3: full(eta, ['C'], [c]),
        norm1: ln,
        attn: attn.init(ka!, { C: c }),
        norm2: ln,
        mlp: ffn.init(km!, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) }),
        norm3: ln,
        local_mp: local.init(kl!, { C: c }),
      };
    },
    apply: (p, x, ctx) => applyGrid(p, x, gridFor('xcaBlock', x.size('N'), options.grid), ctx),
    applyGrid,
  };
}
