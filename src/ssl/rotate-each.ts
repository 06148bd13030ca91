/**
 * Each image of a batch rotated by its own number of quarter turns, as
 * DeeperCluster's training transform rotates every image after the crop and
 * flip (its rotate_img, here rotation.ts's rotate). All four rotations of the
 * batch are stacked along a new axis and the one-hot of each image's turns
 * picks its own, so the selection is a contraction the gradient flows through.
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { oneHot } from '../ops/gather.js';
import { contract } from '../ops/einsum.js';
import { reshape } from '../ops/layout.js';
import { concat } from '../ops/slicing.js';
import { rotate } from './rotation.js';

/** The axis along which the four rotations are stacked. */
const ROTATIONS = 'rotation';

/** x [B, H, W] with image b turned `turns[b]` (0..3) quarter turns counter-clockwise; H must equal W. */
export function rotateEach<B extends Axis, H extends Axis, W extends Axis>(x: Tensor<[B, H, W]>, turns: Tensor<[B]>): Tensor<[B, H, W]> {
  const [batch, rows, cols] = x.axes;
  if (x.sizes[1] !== x.sizes[2]) throw new ShapeError(`rotateEach: the images must be square to share one shape under rotation, got ${x.sizes[1]}×${x.sizes[2]}`, { op: 'rotateEach' });
  if (turns.axes[0] !== batch || turns.sizes[0] !== x.sizes[0]) throw new ShapeError(`rotateEach: turns [${turns.axes.join(', ')}] must have one entry per image of [${x.axes.join(', ')}]`, { op: 'rotateEach' });
  const stacked = concat(
    ([0, 1, 2, 3] as const).map((t) => reshape(rotate(x, rows, cols, t), [ROTATIONS, ...x.axes], [1, ...x.sizes])),
    ROTATIONS,
  );
  return contract(stacked as Tensor<[typeof ROTATIONS, B, H, W]>, oneHot(turns, ROTATIONS, 4), ROTATIONS) as unknown as Tensor<[B, H, W]>;
}
