/** Element-wise comparison of a computed tensor with its golden value. */
import type { Tolerance } from './component.js';

export interface Comparison {
  readonly ok: boolean;
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Index of the worst element relative to the tolerance, -1 when none fails. */
  readonly worst: number;
  readonly problem?: string;
}

export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Comparison {
  if (actual.length !== expected.length) {
    return { ok: false, maxAbs: Infinity, maxRel: Infinity, worst: -1, problem: `${actual.length} values computed, ${expected.length} expected` };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const d = Math.abs(a - e);
    const err = Number.isNaN(d) ? Infinity : d;
    maxAbs = Math.max(maxAbs, err);
    if (e !== 0 || err !== 0) maxRel = Math.max(maxRel, err / Math.max(Math.abs(e), Number.MIN_VALUE));
    // A non-finite golden value makes the allowance infinite and the excess NaN, which no
    // comparison with 0 catches: such an element fails outright.
    const excess = Number.isFinite(e) ? err - (tol.atol + tol.rtol * Math.abs(e)) : Infinity;
    if (excess > worstExcess || (worst < 0 && excess > 0)) {
      worstExcess = excess;
      worst = i;
    }
  }
  return { ok: worst < 0, maxAbs, maxRel, worst };
}
