/**
 * DeeperCluster's sub-class heads: one classifier over the sub-clusters of
 * each super-cluster, and an image is scored by the head of its own
 * super-cluster (the official code gives each super-cluster's processes their
 * own head). Kept as one linear layer whose outputs are the S heads' Q
 * outputs in a row; the one-hot of each image's super-cluster selects its
 * head's Q logits, so the other heads get no gradient from that image.
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { oneHot } from '../ops/gather.js';
import { contract } from '../ops/einsum.js';
import { unflatten } from '../ops/layout.js';

/** The axis of the super-clusters while the heads' outputs are split. */
const HEADS = 'superCluster';

/** logits [B, S·Q] of all heads → [B, Q] of each image's own head (superCluster [B] in 0..S-1). */
export function ownSubHead<B extends Axis, K extends Axis, Q extends Axis>(logits: Tensor<[B, K]>, superCluster: Tensor<[B]>, superClusters: number, subAxis: Q): Tensor<[B, Q]> {
  const [batch, all] = logits.axes;
  const width = logits.sizes[1]!;
  if (!Number.isInteger(superClusters) || superClusters < 1 || width % superClusters !== 0) throw new ShapeError(`ownSubHead: ${width} outputs do not split into ${superClusters} heads of equal width`, { op: 'ownSubHead' });
  if (superCluster.axes[0] !== batch || superCluster.sizes[0] !== logits.sizes[0]) throw new ShapeError(`ownSubHead: superCluster [${superCluster.axes.join(', ')}] must have one entry per row of [${logits.axes.join(', ')}]`, { op: 'ownSubHead' });
  const heads = unflatten(logits as Tensor<[B, K]>, all as K, [HEADS, subAxis], [superClusters, width / superClusters]);
  return contract(heads as unknown as Tensor<[B, typeof HEADS, Q]>, oneHot(superCluster, HEADS, superClusters), HEADS) as unknown as Tensor<[B, Q]>;
}
