/**
 * Soft nearest neighbours (PAWS): a query's class distribution is the
 * average of the support labels, weighted by a softmax over cosine
 * similarities with temperature τ.
 *
 *   probs = softmax( normalize(query)·normalize(supports)ᵀ / τ , over supports ) · labels
 *
 * The axes say what is what: queries Q × features D, supports S × D, labels
 * S × C; the result is a distribution over the classes C for each query.
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { contract } from '../ops/einsum.js';
import { reshape } from '../ops/layout.js';
import { l2Normalize } from '../ops/normalization.js';
import { softmax } from '../ops/softmax.js';
import { asProbs, type Probs } from './cross-entropy-soft.js';
import { scaleDown } from './sharpen.js';
import { withAxes } from '../ops/with-axes.js';

/** Soft nearest neighbours: each query's class distribution, the supports' labels weighted by a softmax of cosine similarities / τ. */
export function snn<Q extends Axis, S extends Axis, D extends Axis, C extends Axis>(
  query: Tensor<[Q, D]>,
  supports: Tensor<[S, D]>,
  labels: Tensor<[S, C]>,
  tau: number,
): Probs<[Q, C], C> {
  const [q, d] = query.axes as readonly [Q, D];
  const ds = supports.axes[1] as string;
  let s = supports.axes[0] as string;
  const [sl, c] = labels.axes as readonly [string, string];
  if (query.rank !== 2 || supports.rank !== 2 || labels.rank !== 2) throw new ShapeError('snn: query, supports and labels must each have two axes');
  if (ds !== d) throw new ShapeError(`snn: the feature axis of the supports is ${ds}, the query's is ${d}`, { op: 'snn', axis: ds });
  if (sl !== s) throw new ShapeError(`snn: the labels' support axis is ${sl}, the supports' is ${s}`, { op: 'snn', axis: sl });
  if (c === q || c === d) throw new ShapeError(`snn: the class axis ${c} must differ from the query axes [${q}, ${d}]`, { op: 'snn', axis: c });
  // The query and support axes may share a name (both 'N'); contract needs them distinct.
  let sup: Tensor = supports;
  let lab: Tensor = labels;
  if (s === q) {
    s = `${s}'`;
    sup = reshape(supports, [s, d], supports.sizes);
    lab = reshape(labels, [s, c], labels.sizes);
  }
  const qn = l2Normalize(query as Tensor<[string, string]>, d);
  const sn = l2Normalize(sup as Tensor<[string, string]>, d);
  const similarity = scaleDown(withAxes(contract(qn, sn, d), [q, s]), tau, 'snn');
  const weights = softmax(similarity, s);
  return asProbs(withAxes(contract(weights, lab as Tensor<[string, string]>, s), [q, c as C]), c as C);
}
