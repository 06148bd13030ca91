/**
 * Replacing classifier heads after a reassignment of pseudo-labels
 * (DeepCluster's top layer, DeeperCluster's super- and sub-class heads):
 * the new cluster ids carry no relation to the old ones, so the heads start
 * afresh and so does their optimiser state, whichever the optimiser (AdamW's
 * moments, the momentum buffers of SGD and LARS): the official code builds a
 * new optimizer for the new layer.
 */
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import { zerosTree } from '../optim/optimizer.js';
import type { TrainOptimizerState } from './optimizer-choice.js';
import { asTensors, isNd } from './step-parts.js';

/**
 * The parameters with `heads` replaced, and the optimiser's state with zeros for them in each of its
 * trees shaped like the parameters (every field holding the heads' names; a step count is left as it is).
 */
export function withFreshHeads<P extends object, H extends Partial<P>, S extends ValuesOf<TrainOptimizerState>>(params: P, opt: S, heads: H): { params: P; opt: S } {
  const zeros = evaluate(zerosTree(asTensors(heads))) as object;
  const names = Object.keys(heads);
  const likeParams = (v: unknown): v is object => typeof v === 'object' && v !== null && !isNd(v) && names.every((k) => k in v);
  if (!Object.values(opt).some(likeParams)) throw new Error(`withFreshHeads: the optimiser state (${Object.keys(opt).join(', ')}) has no tree with the heads ${names.join(', ')}`);
  const reset = Object.fromEntries(Object.entries(opt).map(([k, v]) => [k, likeParams(v) ? { ...v, ...zeros } : v]));
  return { params: { ...params, ...heads }, opt: reset as S };
}
