/**
 * DINO's interpolate_pos_encoding: the positional embedding [1, 1 + g², C]
 * learned on a g × g patch grid, for an image whose grid is Hp × Wp. At the
 * training size (Hp·Wp = g² and a square image) it is returned unchanged;
 * otherwise the patch part is resized bicubically with the scale factors
 * (Hp + 0.1)/g and (Wp + 0.1)/g (DINO's "+0.1 to avoid floating point
 * error") and the CLS row is kept.
 */
import type { Tensor } from '../../ir/tensor.js';
import { ShapeError } from '../../shape/errors.js';
import { einsum } from '../../ops/einsum.js';
import { reshape } from '../../ops/layout.js';
import { concat, slice } from '../../ops/slicing.js';
import { fromArray } from '../../ops/sources.js';
import { bicubicWeights } from './bicubic.js';

/** A positional embedding: [1, tokens, channels]. */
export type PosEmbed = Tensor<['1a', 'N', 'C']>;

/** The side g of the square training grid behind pos_embed [1, 1 + g², C]. */
export function posEmbedGrid(posEmbed: PosEmbed): number {
  const n = posEmbed.size('N') - 1;
  const g = Math.round(Math.sqrt(n));
  if (n < 1 || g * g !== n) throw new ShapeError(`pos_embed: ${n} patch positions (after the CLS row) are not a square grid`, { op: 'interpolatePosEncoding', axis: 'N', sizes: [n + 1] });
  return g;
}

/**
 * pos_embed for an image of `pixels` (height, width) with patch grid `grid`
 * (rows Hp, columns Wp): [1, 1 + Hp·Wp, C].
 */
export function interpolatePosEncoding(posEmbed: PosEmbed, grid: { readonly H: number; readonly W: number }, pixels: { readonly H: number; readonly W: number }): PosEmbed {
  const g = posEmbedGrid(posEmbed);
  if (grid.H * grid.W === g * g && pixels.H === pixels.W) return posEmbed;
  const c = posEmbed.size('C');
  const table = reshape(posEmbed, ['N', 'C'], [1 + g * g, c]);
  const cls = slice(table, 'N', 0, 1);
  const patches = reshape(slice(table, 'N', 1, 1 + g * g), ['A', 'Bc', 'C'], [g, g, c]);
  const wy = fromArray(bicubicWeights(grid.H, g, (grid.H + 0.1) / g), ['I', 'A'], [grid.H, g]);
  const wx = fromArray(bicubicWeights(grid.W, g, (grid.W + 0.1) / g), ['J', 'Bc'], [grid.W, g]);
  const rows = einsum('I A, A Bc C -> I Bc C', wy, patches);
  const out = einsum('J Bc, I Bc C -> I J C', wx, rows);
  const resized = reshape(out, ['N', 'C'], [grid.H * grid.W, c]);
  return reshape(concat([cls, resized], 'N'), ['1a', 'N', 'C'], [1, 1 + grid.H * grid.W, c]);
}
