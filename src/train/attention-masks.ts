/**
 * DINO's thresholded attention masks (visualize_attention.py): per head, keep
 * the patches holding the top `threshold` fraction of the attention mass.
 * The weights are sorted ascending and normalised to sum 1; a patch is kept
 * when the cumulative mass up to and including it exceeds 1 − threshold.
 */
import type { Grid } from '../plot/heatmap.js';
import type { AttentionMaps } from './attention-maps.js';

/** 1 for the patches kept by DINO's rule at `threshold` (fraction of the mass, in (0, 1]), 0 elsewhere. */
export function attentionMask(weights: ArrayLike<number>, threshold: number): Uint8Array {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`attentionMask: the threshold is the fraction of attention mass to keep, in (0, 1], got ${threshold}`);
  const n = weights.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`attentionMask: weight ${i} is ${w}; attention weights must be finite and non-negative`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('attentionMask: the weights sum to 0: there is no attention mass to keep');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => weights[a]! - weights[b]!);
  const mask = new Uint8Array(n);
  let cumulative = 0;
  for (const i of order) {
    cumulative += weights[i]! / total;
    if (cumulative > 1 - threshold) mask[i] = 1;
  }
  return mask;
}

/** Every map of `maps` replaced by its DINO mask at `threshold` (0/1 grids of the same size). */
export function attentionMaskMaps(maps: AttentionMaps, threshold: number): AttentionMaps {
  return {
    source: `${maps.source} (masks keeping ${Math.round(threshold * 100)}% of the mass)`,
    maps: maps.maps.map((heads) => heads.map((g): Grid => ({ height: g.height, width: g.width, data: Float32Array.from(attentionMask(g.data, threshold)) }))),
  };
}
