/**
 * Rotation by quarter turns (for DeeperCluster's rotation targets), per image,
 * counter-clockwise with DeeperCluster's rotate_img convention (the one of
 * ssl/rotation.ts):
 *
 *   1 turn  (90°):  out[i, j] = img[j, W-1-i]  = transpose(img · Jᵀ)
 *   2 turns (180°): out[i, j] = img[H-1-i, W-1-j] = J · img · Jᵀ
 *   3 turns (270°): out[i, j] = img[H-1-j, i]  = transpose(J · img)
 *
 * (J the reversal.) So a quarter turn is a flip of rows and/or columns, which
 * folds into the resampling matrices like any flip, followed by a transpose
 * that a per-image select applies or not. Square images only (H = W), so that
 * every image of the batch keeps one shape.
 */
import type { Tensor } from '../../ir/tensor.js';
import { select } from '../../ops/elementwise.js';
import { broadcastTo, rename, transpose } from '../../ops/layout.js';
import type { PerImage } from './jitter.js';
import { resample, type ColumnWeights, type Images, type RowWeights } from './resample.js';

/** Quarter turns counter-clockwise. */
export type Turns = 0 | 1 | 2 | 3;

/** Whether a quarter-turn count flips the rows / the columns before the transpose, and transposes. */
export function turnFlips(turns: number): { readonly flipRows: boolean; readonly flipCols: boolean; readonly transpose: boolean } {
  const t = (((Math.trunc(turns) % 4) + 4) % 4) as Turns;
  return { flipRows: t === 2 || t === 3, flipCols: t === 1 || t === 2, transpose: t === 1 || t === 3 };
}

/** The batch ([B, H, W] or [B, C, H, W]) transposed (rows and columns exchanged) where flags[b] is 1. */
export function transposeWhere<X extends Images | Tensor<['B', 'C', 'H', 'W']>>(x: X, flags: PerImage): X {
  const h = x.size('H');
  const w = x.size('W');
  if (h !== w) throw new RangeError(`transposeWhere: images must be square to transpose some of them, got ${h}x${w}`);
  const y = x as unknown as Tensor<string[]>;
  const swapped = y.axes.map((a) => (a === 'H' ? 'W' : a === 'W' ? 'H' : a));
  const t = rename(transpose(y, swapped), { W: 'H', H: 'W' });
  return select(broadcastTo(flags, y.axes, y.sizes), t, y) as unknown as X;
}

/**
 * Host data for `rotate`: per image, the flip matrices (ry [B, S, S], rx [B, S, S])
 * and the transpose flag [B] of its number of quarter turns.
 */
export function rotationParams(turns: ArrayLike<number>, size: number): { readonly ry: Float64Array; readonly rx: Float64Array; readonly transpose: Float64Array } {
  const n = turns.length;
  const s2 = size * size;
  const ry = new Float64Array(n * s2);
  const rx = new Float64Array(n * s2);
  const flags = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    const f = turnFlips(turns[b]!);
    for (let i = 0; i < size; i++) {
      ry[b * s2 + i * size + (f.flipRows ? size - 1 - i : i)] = 1;
      rx[b * s2 + i * size + (f.flipCols ? size - 1 - i : i)] = 1;
    }
    flags[b] = f.transpose ? 1 : 0;
  }
  return { ry, rx, transpose: flags };
}

/** Rotate image b by its quarter turns, from `rotationParams` data (flips as matrices, then the transposes). */
export function rotate(x: Images, ry: RowWeights, rx: ColumnWeights, transposeFlags: PerImage): Images {
  return transposeWhere(resample(x, ry, rx), transposeFlags);
}
