/**
 * Blocked summation, shared by the renderers: a sum over more than SUM_BLOCK
 * terms accumulates blocks of at most SUM_BLOCK terms into a plain float32
 * partial, and adds the partials into a Kahan-compensated total. The error of
 * a naive float32 sum grows with its length (2^24 halves stop adding to a
 * total of 2^23); a partial's error is bounded by the block's length and the
 * compensated total's error by a few ulps, whatever the length. The
 * compensation runs once per block, so it costs nothing measurable.
 */
import type { Loop } from './kernel-ir.js';

/** Terms per block: small enough that a naive float32 sum of them stays within 1e-4 of its magnitude, large enough that the per-block work is noise. */
export const SUM_BLOCK = 1024;

export interface SumBlocking {
  /** The loop of the nest that is cut into blocks (loops inside it run whole within a block). */
  readonly level: number;
  /** Iterations of that loop per block: a multiple of `step`. */
  readonly size: number;
}

/**
 * Where to cut a reduction's loop nest into blocks of at most `block` terms: the outermost
 * loop whose inner loops together run at most `block` iterations, cut into runs of `size`
 * of its own iterations; undefined when the whole nest fits in one block. `step` is how
 * many iterations the innermost loop runs at once (lanes, unrolling).
 */
export function sumBlocking(loops: readonly Loop[], block = SUM_BLOCK, step = 1): SumBlocking | undefined {
  let inner = 1;
  for (let level = loops.length - 1; level >= 0; level--) {
    const extent = loops[level]!.extent;
    if (extent * inner > block) {
      const s = level === loops.length - 1 ? step : 1;
      const size = Math.max(s, Math.floor(block / inner / s) * s);
      return size >= extent ? undefined : { level, size };
    }
    inner *= extent;
  }
  return undefined;
}

/** One Kahan step as source text (a JavaScript/gpu.js renderer): total += part, with the rounding error carried in comp. */
export function kahanLines(total: string, comp: string, part: string, tmp: [string, string]): string[] {
  const [y, t] = tmp;
  return [`const ${y} = ${part} - ${comp};`, `const ${t} = ${total} + ${y};`, `${comp} = (${t} - ${total}) - ${y};`, `${total} = ${t};`];
}
