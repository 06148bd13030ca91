/**
 * Gaussian blur as a matrix along one axis (host side): row o holds the
 * weights exp(-d²/2σ²) of the pixels o + d for |d| <= ceil(3σ) (at least 1),
 * normalised to sum 1, with indices past either edge clamped to the edge
 * (PIL's box-blur approximation of GaussianBlur also extends edge pixels).
 * The blur of an image is then Gy · img · Gxᵀ, the same einsum as a crop
 * (`resample`), so a per-image σ is just data.
 */
export function gaussianWeights(size: number, sigma: number, out: Float64Array = new Float64Array(size * size), offset = 0): Float64Array {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`gaussianWeights: size must be a positive integer, got ${size}`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianWeights: sigma must be a positive number, got ${sigma}`);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  for (let o = 0; o < size; o++) {
    for (let k = 0; k < taps.length; k++) {
      const x = Math.min(size - 1, Math.max(0, o + k - radius));
      out[offset + o * size + x] = out[offset + o * size + x]! + taps[k]! / total;
    }
  }
  return out;
}

/** The size × size identity (no blur), written at `offset`. */
export function identityWeights(size: number, out: Float64Array = new Float64Array(size * size), offset = 0): Float64Array {
  for (let o = 0; o < size; o++) out[offset + o * size + o] = 1;
  return out;
}
