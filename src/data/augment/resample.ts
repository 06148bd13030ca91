/**
 * Separable linear resampling of a batch of grayscale images, the graph op
 * behind crops, resizes, flips, blurs and quarter-turn flips:
 *
 *   out[b] = Ry[b] · img[b] · Rx[b]ᵀ      einsum 'B O H, B H W, B P W -> B O P'
 *
 * Ry [B, O, H] maps input rows to output rows and Rx [B, P, W] input columns to
 * output columns, one pair per image; they are data (built on the host from
 * each image's random parameters), the einsum is the kernel. The result is
 * renamed back to [B, H, W] with H = O, W = P, so views chain.
 */
import type { Tensor } from '../../ir/tensor.js';
import { einsum } from '../../ops/einsum.js';
import { rename } from '../../ops/layout.js';

export type Images = Tensor<['B', 'H', 'W']>;
export type RowWeights = Tensor<['B', 'O', 'H']>;
export type ColumnWeights = Tensor<['B', 'P', 'W']>;

export function resample(images: Images, ry: RowWeights, rx: ColumnWeights): Images {
  const out = einsum('B O H, B H W, B P W -> B O P', ry, images, rx);
  return rename(out, { O: 'H', P: 'W' }) as Images;
}
