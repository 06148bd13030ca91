/**
 * PositionalEncodingFourier (XCiT): fixed sin/cos features of each patch's
 * normalised row and column position, projected to C channels by a learned
 * 1×1 convolution.
 *
 *   ye[i] = (i+1)/(H + 1e-6)·2π,  xe[j] = (j+1)/(W + 1e-6)·2π
 *   dim_t[k] = temperature^(2·⌊k/2⌋/Dh),  k < Dh (hidden_dim)
 *   channel 2m: sin(ye/dim_t[2m]), 2m+1: cos(ye/dim_t[2m+1]); then Dh+2m, Dh+2m+1 the same for xe
 *   pos = Conv2d 1×1 (token_projection: weight [C, 2·Dh, 1, 1], bias [C])
 *
 * The features are constants of (H, W, Dh); the reference builds them in
 * float32, this one in float64 by default (they differ by ~5e-7; the
 * 'float32' precision option rounds every step as the reference does). The module's input is
 * only (B, H, W), so this is not a Layer over tensors: `encode` gives the
 * encoding on the grid, channels last [B, H, W, C], and `tokens` as [B, N, C]
 * with token n = i·W + j, ready to add to the patch tokens.
 */
import type { Sizes } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { ShapeError } from '../../shape/errors.js';
import { split, type Key } from '../../runtime/prng.js';
import { conv2d } from '../../ops/conv.js';
import { add } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { fromArray } from '../../ops/sources.js';
import { channelsOf, type Grid, type Tokens } from './heads.js';
import { uniformFanIn } from './lpi.js';

/** The encoding's projection (a 1×1 convolution). */
export interface FourierPositionsParams {
  readonly token_projection: {
    /** [C, 2·Dh, 1, 1]. */
    readonly weight: Tensor<['C', 'P', 'KH', 'KW']>;
    readonly bias: Tensor<['C']>;
  };
}

/** The Fourier encoding's hidden width, temperature and precision. */
export interface FourierPositionsOptions {
  /** Dh, the number of features per coordinate (default 32); must be even. */
  readonly hiddenDim?: number;
  /** Default 10000. */
  readonly temperature?: number;
  /** Arithmetic of the fixed features (default float64; 'float32' reproduces the reference module's rounding). */
  readonly precision?: FeaturePrecision;
}

/** The Fourier positional encoding as a layer on a grid. */
export interface FourierPositions {
  readonly hiddenDim: number;
  readonly temperature: number;
  /** token_projection as PyTorch's default Conv2d init (uniform ±1/√(2·Dh)); C from sizes. */
  init(key: Key, sizes: Sizes): FourierPositionsParams;
  /** The encoding [B, H, W, C] (the module's output [B, C, H, W], channels last). */
  encode(params: FourierPositionsParams, batch: number, grid: Grid): Tensor<['B', 'H', 'W', 'C']>;
  /** The encoding as tokens [B, N, C], n = i·W + j. */
  tokens(params: FourierPositionsParams, batch: number, grid: Grid): Tokens;
}

const scale = 2 * Math.PI;
const eps = 1e-6;

/** The arithmetic the features are computed in: float64, or float32 step by step as the reference module. */
export type FeaturePrecision = 'float64' | 'float32';

/**
 * The 2·Dh sin/cos features of every grid position: [H, W, P], P = 2·Dh (y
 * features first, then x). With precision 'float32' every step is rounded to
 * float32 as PyTorch computes it (so the features match the reference's to
 * about one float32 ulp instead of ~5e-7).
 */
export function fourierFeatures(hiddenDim: number, grid: Grid, temperature = 10000, precision: FeaturePrecision = 'float64'): Tensor<['H', 'W', 'P']> {
  if (!Number.isInteger(hiddenDim) || hiddenDim < 2 || hiddenDim % 2 !== 0) throw new ShapeError(`fourierFeatures: hidden_dim ${hiddenDim} must be a positive even integer`, { op: 'fourierFeatures' });
  const { H, W } = grid;
  const r = precision === 'float32' ? Math.fround : (v: number) => v;
  const dimT = Array.from({ length: hiddenDim }, (_, k) => r(temperature ** r((2 * Math.floor(k / 2)) / hiddenDim)));
  const encode = (pos: number, k: number) => r(k % 2 === 0 ? Math.sin(r(pos / dimT[k]!)) : Math.cos(r(pos / dimT[k]!)));
  const embed = (index: number, n: number) => r(r((index + 1) / r(n + r(eps))) * r(scale));
  const p = 2 * hiddenDim;
  const data = new Float64Array(H * W * p);
  for (let i = 0; i < H; i++) {
    const ye = embed(i, H);
    for (let j = 0; j < W; j++) {
      const xe = embed(j, W);
      const base = (i * W + j) * p;
      for (let k = 0; k < hiddenDim; k++) {
        data[base + k] = encode(ye, k);
        data[base + hiddenDim + k] = encode(xe, k);
      }
    }
  }
  return fromArray(data, ['H', 'W', 'P'], [H, W, p], { name: 'fourier_features' });
}

/** XCiT's Fourier positional encoding of the patch grid, projected to the embedding width. */
export function fourierPositions(options: FourierPositionsOptions = {}): FourierPositions {
  const hiddenDim = options.hiddenDim ?? 32;
  const temperature = options.temperature ?? 10000;
  const encode = (params: FourierPositionsParams, batch: number, grid: Grid): Tensor<['B', 'H', 'W', 'C']> => {
    const f = fourierFeatures(hiddenDim, grid, temperature, options.precision);
    const { weight, bias } = params.token_projection;
    const raw = conv2d(f, weight, {}, { channels: 'P', out: 'C', height: 'H', width: 'W', kh: 'KH', kw: 'KW' }) as Tensor<['H', 'W', 'C']>;
    const pos = add(raw, broadcastTo(bias, raw.axes, raw.sizes) as typeof raw);
    return broadcastTo(pos, ['B', 'H', 'W', 'C'], [batch, ...pos.sizes]) as Tensor<['B', 'H', 'W', 'C']>;
  };
  return {
    hiddenDim,
    temperature,
    init(key: Key, sizes: Sizes): FourierPositionsParams {
      const c = channelsOf('fourierPositions', sizes);
      const [kw, kb] = split(key);
      const p = 2 * hiddenDim;
      return { token_projection: { weight: uniformFanIn(kw!, ['C', 'P', 'KH', 'KW'], [c, p, 1, 1], p), bias: uniformFanIn(kb!, ['C'], [c], p) } };
    },
    encode,
    tokens(params, batch, grid) {
      const pos = encode(params, batch, grid);
      return reshape(pos, ['B', 'N', 'C'], [batch, grid.H * grid.W, pos.sizes[3]!]);
    },
  };
}
