/**
 * DINO's PatchEmbed: Conv2d with kernel = stride = p, then tokens
 * y[b, i·Wp + j, e] (Hp = ⌊H/p⌋, Wp = ⌊W/p⌋). The trailing H mod p rows and
 * W mod p columns are ignored, as PyTorch's strided convolution does.
 * Parameters: proj.weight [E, C, p, p], proj.bias [E].
 */
import type { Tensor } from '../../ir/tensor.js';
import { ShapeError } from '../../shape/errors.js';
import { reshape, transposeTo } from '../../ops/layout.js';
import { slice } from '../../ops/slicing.js';
import { within, type ApplyContext } from '../layer.js';
import { conv2d } from '../conv.js';
import type { Tokens } from '../xcit/heads.js';

/** Images: batch, channels, height, width. */
export type VitImage = ['B', 'C', 'H', 'W'];

/** The patch projection's parameters. */
export interface VitPatchEmbedParams {
  readonly proj: { readonly weight: Tensor<['E', 'C', 'KH', 'KW']>; readonly bias: Tensor<['E']> };
}

/** The patch grid (rows Hp, columns Wp) of an H × W image. */
export function patchGrid(h: number, w: number, p: number): { readonly H: number; readonly W: number } {
  const grid = { H: Math.floor(h / p), W: Math.floor(w / p) };
  if (grid.H < 1 || grid.W < 1) throw new ShapeError(`vitPatchEmbed: a ${h}×${w} image holds no ${p}×${p} patch`, { op: 'vitPatchEmbed', axis: 'H', sizes: [h, w, p] });
  return grid;
}

/** The tokens [B, Hp·Wp, E] (axes B, N, C) of images [B, C, H, W]. */
export function vitPatchEmbed(params: VitPatchEmbedParams, x: Tensor<VitImage>, ctx?: ApplyContext): Tokens {
  const [e, c, p, pw] = params.proj.weight.sizes as [number, number, number, number];
  if (p !== pw) throw new ShapeError(`vitPatchEmbed: patches must be square, proj.weight is [${params.proj.weight.sizes.join(', ')}]`);
  if (x.size('C') !== c) throw new ShapeError(`vitPatchEmbed: images have ${x.size('C')} channels, proj.weight expects ${c}`, { op: 'vitPatchEmbed', axis: 'C', sizes: [x.size('C'), c] });
  const g = patchGrid(x.size('H'), x.size('W'), p);
  const cropped = slice(slice(x, 'H', 0, g.H * p), 'W', 0, g.W * p);
  const y = conv2d('C', 'E', { kernel: p, stride: p }).apply(params.proj, cropped, within(within(ctx, 'patch_embed'), 'proj'));
  const t = transposeTo(y, ['B', 'H', 'W', 'E']);
  return reshape(t, ['B', 'N', 'C'], [x.size('B'), g.H * g.W, e]);
}
