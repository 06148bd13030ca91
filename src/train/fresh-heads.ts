/**
 * Replacing classifier heads after a reassignment of pseudo-labels
 * (DeepCluster's top layer, DeeperCluster's super- and sub-class heads):
 * the new cluster ids carry no relation to the old ones, so the heads start
 * afresh and so do their AdamW moments (the official code builds a new
 * optimizer for the new layer).
 */
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import type { AdamWState } from '../optim/adamw.js';
import { zerosTree } from '../optim/optimizer.js';
import { asTensors } from './step-parts.js';

/** The parameters with `heads` replaced, and AdamW's state with zero moments for them. */
export function withFreshHeads<P extends object, H extends Partial<P>>(params: P, opt: ValuesOf<AdamWState>, heads: H): { params: P; opt: ValuesOf<AdamWState> } {
  const zeros = evaluate(zerosTree(asTensors(heads))) as object;
  // AdamW's moments are trees like the parameters (its state type does not say so).
  const reset = (moments: unknown) => ({ ...(moments as object), ...zeros });
  return { params: { ...params, ...heads }, opt: { ...opt, m: reset(opt.m), v: reset(opt.v) } };
}
