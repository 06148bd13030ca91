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
import type { Tensor } from '../../ir/tensor.js';
import { add } from '../../ops/elementwise.js';
import { within, type Layer } from '../layer.js';
import { dropPath } from '../dropout.js';
import { record, type Forward, type RecordParams } from '../record.js';
import { scaleBy } from '../layer-scale.js';
import { channelsOf, gridFor, onGrid, type Grid, type GridLayer } from './heads.js';
import { xca } from './xca.js';
import { lpi, type LpiParams } from './lpi.js';
import { blockParts, mlpHidden, type TokenShape } from './class-attention-block.js';

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

/** The block's fields in the official state_dict's order, LPI on the tokens' grid. */
export function xcaBlockFields(options: XcaBlockOptions, local: Layer<LpiParams, TokenShape, TokenShape>) {
  const part = blockParts(options);
  return {
    gamma1: part.gamma(),
    gamma2: part.gamma(),
    gamma3: part.gamma(),
    norm1: part.norm,
    attn: xca(part.attention),
    norm2: part.norm,
    mlp: part.mlp,
    norm3: part.norm,
    local_mp: local,
  };
}

/** The fields of an XCiT block, as `record` takes them. */
export type XcaBlockFields = ReturnType<typeof xcaBlockFields>;

/** An XCiT block's parameters: gamma1..3, norm1..3, attn, mlp, local_mp. */
export type XcaBlockParams = RecordParams<XcaBlockFields>;

/** XCiT's block: cross-covariance attention, local patch interaction and an MLP, each behind a LayerScale residual. */
export function xcaBlock(options: XcaBlockOptions): GridLayer<XcaBlockParams> {
  const ratio = options.mlpRatio ?? 4;
  // ActivationLayer's apply is declared without the context that dropPath needs: call it as a plain Layer.
  const drop: Layer<Record<string, never>, TokenShape, TokenShape> = dropPath(options.dropPath ?? 0);
  const forward: Forward<XcaBlockFields, TokenShape, TokenShape> = (f, x, ctx) => {
    const branch = (name: string, y: Tensor<TokenShape>) => drop.apply({}, y, within(ctx, `drop_path.${name}`));
    const x1 = add(x, branch('attn', scaleBy(f.gamma1, f.attn(f.norm1(x)))));
    const x2 = add(x1, branch('local_mp', scaleBy(f.gamma3, f.local_mp(f.norm3(x1)))));
    return add(x2, branch('mlp', scaleBy(f.gamma2, f.mlp(f.norm2(x2)))));
  };
  const local = lpi();
  const fields = xcaBlockFields(options, onGrid(local, options.grid));
  const block = record(fields, forward);
  const applyGrid: GridLayer<XcaBlockParams>['applyGrid'] = (p, x, grid, ctx) => record({ ...fields, local_mp: onGrid(local, gridFor('xcaBlock', x.size('N'), grid)) }, forward).apply(p, x, ctx);
  return {
    grid: options.grid,
    init(key, sizes) {
      const c = channelsOf('xcaBlock', sizes);
      return block.init(key, { C: c, F: options.mlpHidden ?? mlpHidden(c, ratio) });
    },
    apply: (p, x, ctx) => applyGrid(p, x, gridFor('xcaBlock', x.size('N'), options.grid), ctx),
    applyGrid,
  };
}
