/**
 * Rotation by multiples of 90° and RotNet-style rotation targets, as
 * DeeperCluster's `rotate_img` (src/data/loader.py) does them on H×W(×C)
 * images (README §7.4):
 *   0   → unchanged
 *   90  → out[i, j] = img[j, W-1-i]      (counter-clockwise; the result is W×H)
 *   180 → out[i, j] = img[H-1-i, W-1-j]
 *   270 → out[i, j] = img[H-1-j, i]      (clockwise)
 * Two forms: on values (NDArray, any trailing axes) and on tensors (graph ops:
 * a reversal by gather and a transpose, so gradients flow through).
 */
import type { Axis, Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { NDArray } from '../runtime/ndarray.js';
import { numelOf } from '../runtime/ndarray.js';
import { fromArray, full } from '../ops/sources.js';
import { gather } from '../ops/gather.js';
import { reshape, transposeTo } from '../ops/layout.js';
import { concat } from '../ops/slicing.js';
import { withAxes } from '../ops/with-axes.js';

/** Quarter turns counter-clockwise: 0, 1, 2, 3 (angle = 90°·turns). */
export type QuarterTurns = 0 | 1 | 2 | 3;

/** The quarter turns of an angle in degrees (a multiple of 90, any sign). */
export function quarterTurns(angle: number): QuarterTurns {
  if (!Number.isInteger(angle) || angle % 90 !== 0) throw new RangeError(`rotation: ${angle}° is not a multiple of 90°`);
  return ((((angle / 90) % 4) + 4) % 4) as QuarterTurns;
}

/**
 * Rotate an image value whose first two axes are rows and columns (HWC or HW)
 * by `turns` quarter turns counter-clockwise. The axis names are kept; the
 * sizes of the first two swap for odd turns.
 */
export function rotateImage<S extends readonly string[]>(img: NDArray<S>, turns: QuarterTurns): NDArray<S> {
  if (img.sizes.length < 2) throw new RangeError(`rotateImage: needs at least two axes (rows, columns), got [${img.axes.join(', ')}]`);
  const [h, w] = [img.sizes[0]!, img.sizes[1]!];
  const inner = numelOf(img.sizes.slice(2));
  const odd = turns % 2 === 1;
  const [oh, ow] = odd ? [w, h] : [h, w];
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const [r, c] = turns === 0 ? [i, j] : turns === 1 ? [j, w - 1 - i] : turns === 2 ? [h - 1 - i, w - 1 - j] : [h - 1 - j, i];
      out.set(img.data.subarray((r * w + c) * inner, (r * w + c + 1) * inner), (i * ow + j) * inner);
    }
  }
  return { axes: img.axes, sizes: [oh, ow, ...img.sizes.slice(2)], data: out };
}

function reversed(x: Tensor, axis: string): Tensor {
  const n = x.size(axis);
  const idx = fromArray(
    Array.from({ length: n }, (_, i) => n - 1 - i),
    [axis],
    [n],
    { name: `reverse_${axis}` },
  );
  return gather(x as Tensor<string[]>, axis, idx) as Tensor;
}

/**
 * Rotate a tensor by `turns` quarter turns counter-clockwise in the plane of
 * (rows, cols), whatever its other axes. Axis names and order are kept; the
 * sizes of rows and cols swap for odd turns.
 */
export function rotate<S extends Shape>(x: Tensor<S>, rows: S[number], cols: S[number], turns: QuarterTurns): Tensor<S> {
  if (rows === cols) throw new ShapeError(`rotate: rows and cols must be different axes, got ${rows} twice`, { op: 'rotate' });
  const h = x.size(rows);
  const w = x.size(cols);
  if (turns === 0) return x;
  if (turns === 2) return reversed(reversed(x, rows), cols) as Tensor<S>;
  // 90°: out[i, j] = img[j, W-1-i] = t[j, i] with t = img reversed along cols;
  // 270°: out[i, j] = img[H-1-j, i] = t[j, i] with t = img reversed along rows.
  const t = reversed(x, turns === 1 ? cols : rows);
  const swapped = x.axes.map((a) => (a === rows ? cols : a === cols ? rows : a));
  const moved = transposeTo(t, swapped);
  const sizes = x.axes.map((a, i) => (a === rows ? w : a === cols ? h : x.sizes[i]!));
  return withAxes(reshape(moved, [...x.axes], sizes), x.axes);
}

/**
 * RotNet targets: the batch with each of the 4 rotations, concatenated along
 * the batch axis (all of rotation 0 first, then 90°, …), and the rotation
 * index of each item as a [batch] tensor. Needs square images (H = W).
 */
export function rotationBatch<S extends Shape, B extends Axis>(x: Tensor<S>, batch: B & S[number], rows: S[number], cols: S[number]): { images: Tensor<S>; labels: Tensor<[B]> } {
  if (x.size(rows) !== x.size(cols)) throw new ShapeError(`rotationBatch: all four rotations must have one shape, so rows (${x.size(rows)}) must equal cols (${x.size(cols)})`, { op: 'rotationBatch' });
  const n = x.size(batch);
  const turns = [0, 1, 2, 3] as const;
  const images = concat(
    turns.map((t) => rotate(x, rows, cols, t)),
    batch,
  );
  const labels = concat(
    turns.map((t) => full(t, [batch], [n]) as Tensor<[B]>),
    batch,
  );
  return { images, labels };
}
