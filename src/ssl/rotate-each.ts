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

/** x [B, H, W] (or [B, C, H, W], every channel alike) with image b turned `turns[b]` (0..3) quarter turns counter-clockwise; H must equal W. */
export function rotateEach<B extends Axis, H extends Axis, W extends Axis>(x: Tensor<[B, H, W]>, turns: Tensor<[B]>): Tensor<[B, H, W]>;
export function rotateEach<B extends Axis, C extends Axis, H extends Axis, W extends Axis>(x: Tensor<[B, C, H, W]>, turns: Tensor<[B]>): Tensor<[B, C, H, W]>;
export function rotateEach(x: Tensor<Axis[]>, turns: Tensor<[Axis]>): Tensor<Axis[]> {
  const r = x.rank;
  const [batch, rows, cols] = [x.axes[0]!, x.axes[r - 2]!, x.axes[r - 1]!];
  if (x.sizes[r - 2] !== x.sizes[r - 1]) throw new ShapeError(`rotateEach: the images must be square to share one shape under rotation, got ${x.sizes[r - 2]}×${x.sizes[r - 1]}`, { op: 'rotateEach' });
  if (turns.axes[0] !== batch || turns.sizes[0] !== x.sizes[0]) throw new ShapeError(`rotateEach: turns [${turns.axes.join(', ')}] must have one entry per image of [${x.axes.join(', ')}]`, { op: 'rotateEach' });
  const stacked = concat(
    ([0, 1, 2, 3] as const).map((t) => reshape(rotate(x, rows, cols, t), [ROTATIONS, ...x.axes], [1, ...x.sizes])),
    ROTATIONS,
  );
  return contract(stacked as Tensor<[typeof ROTATIONS, ...Axis[]]>, oneHot(turns, ROTATIONS, 4), ROTATIONS) as unknown as Tensor<Axis[]>;
}
