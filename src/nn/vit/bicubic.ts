/**
 * PyTorch's bicubic resize weights (F.interpolate mode='bicubic',
 * align_corners=False, A = -0.75) for a GIVEN scale factor, as a dense
 * out × in matrix: out[i] = Σ_a w[i, a] · in[a]. With the scale factor
 * given, PyTorch maps output i to src = (i + 0.5)/scale − 0.5 (not to the
 * in/out ratio), which is what DINO's interpolate_pos_encoding relies on.
 * Taps outside [0, in−1] are clamped, so border weights add up.
 */
import { ShapeError } from '../../shape/errors.js';

const A = -0.75;
/** Cubic convolution kernel for |s| ≤ 1. */
const c1 = (s: number): number => ((A + 2) * s - (A + 3)) * s * s + 1;
/** Cubic convolution kernel for 1 < |s| < 2. */
const c2 = (s: number): number => ((A * s - 5 * A) * s + 8 * A) * s - 4 * A;

/** Row-major [outSize, inSize] bicubic weights for output size outSize from inSize samples at `scale`. */
export function bicubicWeights(outSize: number, inSize: number, scale: number): Float64Array {
  if (!Number.isInteger(outSize) || outSize < 1 || !Number.isInteger(inSize) || inSize < 1) {
    throw new ShapeError(`bicubicWeights: sizes must be positive integers, got out ${outSize}, in ${inSize}`);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) throw new ShapeError(`bicubicWeights: the scale factor must be positive and finite, got ${scale}`);
  const w = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const src = (i + 0.5) / scale - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    const taps = [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)];
    taps.forEach((v, k) => {
      const a = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
      w[i * inSize + a] = (w[i * inSize + a] ?? 0) + v;
    });
  }
  return w;
}
