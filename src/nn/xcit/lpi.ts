/**
 * LPI, local patch interaction (XCiT): the tokens put back on their H×W grid
 * (token n = i·W + j), then depthwise conv3x3 -> GELU -> BatchNorm ->
 * depthwise conv3x3, and back to tokens. It gives XCA, which mixes channels
 * only, explicit communication between neighbouring patches.
 *
 * The convolutions run on the grid [B, H, W, C] directly (convolution works on
 * named axes in any order), so no NCHW transpose is needed; the parameters
 * keep PyTorch's layouts: conv1.weight [C, 1, 3, 3], conv1.bias [C], bn.*,
 * conv2.*. BatchNorm uses batch statistics in training and emits its new
 * running statistics under '<path>.bn.*' (see runLayer / withUpdates).
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { gelu } from '../../ops/activations.js';
import { conv2d } from '../../ops/conv.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { broadcastTo, reshape, unflatten } from '../../ops/layout.js';
import { uniform } from '../../ops/random.js';
import { within, type ApplyContext } from '../layer.js';
import { batchNorm, type BatchNormParams } from '../batch-norm.js';
import { channelsOf, gridFor, type Grid, type GridLayer, type Tokens } from './heads.js';

/** A depthwise convolution: weight [C, 1, k, k] (axes C', C, KH, KW), bias [C]. */
export interface DepthwiseConvParams {
  readonly weight: Tensor<["C'", 'C', 'KH', 'KW']>;
  readonly bias: Tensor<['C']>;
}

/** LPI's two depthwise convolutions and its BatchNorm. */
export interface LpiParams {
  readonly conv1: DepthwiseConvParams;
  readonly bn: BatchNormParams<'C'>;
  readonly conv2: DepthwiseConvParams;
}

/** Local patch interaction's grid and kernel size. */
export interface LpiOptions {
  /** The token grid used by `apply` (default: the square grid of N tokens). */
  readonly grid?: Grid;
  /** Kernel size (default 3; padding is kernel // 2 as in the official code). */
  readonly kernel?: number;
}

/**
 * U(-b, b) with b = 1/√fan_in: PyTorch's default Conv2d init
 * (kaiming_uniform_ with a = √5) for the weight and for the bias alike. XCiT's
 * _init_weights leaves convolutions at this default.
 */
export function uniformFanIn<const S extends string[]>(key: Key, axes: S, sizes: readonly number[], fanIn: number): Tensor<S> {
  const bound = 1 / Math.sqrt(fanIn);
  return mul(sub(mul(uniform(key, axes, sizes), 2), 1), bound) as Tensor<S>;
}

/** A depthwise convolution's parameters, initialised as PyTorch's Conv2d with groups = channels. */
export function initDepthwise(key: Key, channels: number, kernel: number): DepthwiseConvParams {
  const [kw, kb] = split(key);
  return {
    weight: uniformFanIn(kw!, ["C'", 'C', 'KH', 'KW'], [channels, 1, kernel, kernel], kernel * kernel),
    bias: uniformFanIn(kb!, ['C'], [channels], kernel * kernel),
  };
}

/** Depthwise convolution of a grid [B, H, W, C] with padding kernel // 2 (same size out). */
export function depthwiseConv(x: Tensor<['B', 'H', 'W', 'C']>, p: DepthwiseConvParams): Tensor<['B', 'H', 'W', 'C']> {
  const k = p.weight.sizes[2]!;
  const raw = conv2d(x, p.weight, { padding: Math.floor(k / 2), groups: x.size('C') }, { channels: 'C', out: "C'", height: 'H', width: 'W', kh: 'KH', kw: 'KW' });
  const y = reshape(raw, ['B', 'H', 'W', 'C'], raw.sizes);
  return add(y, broadcastTo(p.bias, y.axes, y.sizes) as typeof y);
}

/** XCiT's local patch interaction: two depthwise convolutions on the patch grid with GELU and BatchNorm between. */
export function lpi(options: LpiOptions = {}): GridLayer<LpiParams> {
  const kernel = options.kernel ?? 3;
  const bn = batchNorm('C');
  const applyGrid = (p: LpiParams, x: Tokens, grid: Grid, ctx?: ApplyContext): Tokens => {
    const [b, n, c] = x.sizes as [number, number, number];
    const g = gridFor('lpi', n, grid);
    const z0 = unflatten(x, 'N', ['H', 'W'], [g.H, g.W]);
    const z1 = gelu(depthwiseConv(z0, p.conv1));
    const z2 = bn.apply(p.bn, z1, within(ctx, 'bn'));
    const z3 = depthwiseConv(z2, p.conv2);
    return reshape(z3, ['B', 'N', 'C'], [b, n, c]);
  };
  return {
    grid: options.grid,
    init(key: Key, sizes: Sizes): LpiParams {
      const c = channelsOf('lpi', sizes);
      const [k1, k2] = split(key);
      return { conv1: initDepthwise(k1!, c, kernel), bn: bn.init(key, { C: c }), conv2: initDepthwise(k2!, c, kernel) };
    },
    apply: (p, x, ctx) => applyGrid(p, x, gridFor('lpi', x.size('N'), options.grid), ctx),
    applyGrid,
  };
}
