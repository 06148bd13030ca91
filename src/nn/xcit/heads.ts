/**
 * What the XCiT layers share: token tensors [B, N, C], the grid the tokens
 * come from, and the split of a qkv projection into heads.
 *
 * The qkv projection has 3C output channels (axis C3), laid out as
 * [3, h, d] (PyTorch's reshape(B, N, 3, h, d)): channel s·C + head·d + j
 * holds component s (0 = q, 1 = k, 2 = v) of head `head`, channel j.
 */
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { reshape, unflatten } from '../../ops/layout.js';
import { slice } from '../../ops/slicing.js';
import type { ApplyContext, Layer } from '../layer.js';

/** Tokens: batch, token, channel. */
export type Tokens = Tensor<['B', 'N', 'C']>;

/** Per-head tokens: batch, token, head, channel within the head. */
export type HeadTokens = Tensor<['B', 'N', 'Hd', 'D']>;

/** The H×W grid of patches behind N = H·W tokens (token n = i·W + j: row i, column j). */
export interface Grid {
  readonly H: number;
  readonly W: number;
}

/** A layer over tokens that needs their grid (LPI, XCABlock): `apply` uses the grid given at construction. */
export interface GridLayer<P> extends Layer<P, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  /** The grid given at construction, if any (apply then needs N to be a square). */
  readonly grid: Grid | undefined;
  /** apply, with the patch grid's height and width given (for tokens that are not a square grid). */
  applyGrid(params: P, x: Tokens, grid: Grid, ctx?: ApplyContext): Tokens;
}

/** The grid for N tokens: the one given, checked against N, or the square one. */
export function gridFor(what: string, n: number, grid: Grid | undefined): Grid {
  if (grid !== undefined) {
    if (!(Number.isInteger(grid.H) && Number.isInteger(grid.W) && grid.H > 0 && grid.W > 0) || grid.H * grid.W !== n) {
      throw new ShapeError(`${what}: the grid H=${grid.H} x W=${grid.W} does not hold the ${n} tokens of axis N`, { op: what, axis: 'N', sizes: [n, grid.H * grid.W] });
    }
    return grid;
  }
  const side = Math.round(Math.sqrt(n));
  if (side * side !== n) throw new ShapeError(`${what}: ${n} tokens are not a square grid; pass the grid (H, W) to the layer or to applyGrid`, { op: what, axis: 'N', sizes: [n] });
  return { H: side, W: side };
}

/** d = C / h, or a ShapeError when the heads do not divide the channels. */
export function headDim(what: string, channels: number, heads: number): number {
  if (!Number.isInteger(heads) || heads < 1 || channels % heads !== 0) {
    throw new ShapeError(`${what}: ${heads} heads must divide the ${channels} channels of axis C`, { op: what, axis: 'C', sizes: [channels, heads] });
  }
  return channels / heads;
}

/** The channel count C from init's sizes, or a ShapeError naming the axis. */
export function channelsOf(what: string, sizes: Sizes, axis = 'C'): number {
  const c = sizes[axis];
  if (c === undefined || !Number.isInteger(c) || c < 1) throw new ShapeError(`${what}: init needs the size of axis ${axis}, got ${String(c)}`, { op: what, axis });
  return c;
}

/** q, k and v of every head, from qkv [B, N, C3] (C3 = 3·h·d). */
export function splitQkv(qkv: Tensor<['B', 'N', 'C3']>, heads: number): readonly [HeadTokens, HeadTokens, HeadTokens] {
  const [b, n, c3] = qkv.sizes as [number, number, number];
  const d = headDim('splitQkv', c3 / 3, heads);
  const parts = unflatten(qkv, 'C3', ['S', 'Hd', 'D'], [3, heads, d]);
  const part = (s: number): HeadTokens => reshape(slice(parts, 'S', s, s + 1), ['B', 'N', 'Hd', 'D'], [b, n, heads, d]);
  return [part(0), part(1), part(2)];
}

/** Merge heads back into channels: out[b, n, head·d + j] = o[b, n, head, j]. */
export function mergeHeads(o: HeadTokens): Tokens {
  const [b, n, h, d] = o.sizes as [number, number, number, number];
  return reshape(o, ['B', 'N', 'C'], [b, n, h * d]);
}

/** A grid layer as a plain layer on tokens from this grid (the layer's own grid when undefined): how a record's field gets the grid. */
export function onGrid<P>(layer: GridLayer<P>, grid: Grid | undefined): Layer<P, ['B', 'N', 'C'], ['B', 'N', 'C']> {
  return grid === undefined ? layer : { keyless: layer.keyless, init: (key, sizes) => layer.init(key, sizes), apply: (p, x, ctx) => layer.applyGrid(p, x, grid, ctx) };
}
