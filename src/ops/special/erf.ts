/**
 * Error function and complementary error function in float64.
 *
 * JavaScript has no Math.erf, and the exact GELU `0.5*x*(1+erf(x/sqrt 2))`
 * must agree with PyTorch to ~1e-14, so erf is evaluated to within about one
 * ulp. Three regimes, on a = |x|:
 *
 *  - a < 0.625: Maclaurin series erf(x) = (2/sqrt pi) x (1 + p(x^2)). The
 *    leading product (2/sqrt pi)*x is formed exactly as a double-double, so
 *    only the small correction x*p (at most ~15% of the result) carries
 *    rounding error.
 *  - 0.625 <= a < 2.875: Taylor expansion about the nearest center x0 = i/4,
 *    erf(x0 + h) = erf(x0) + (2/sqrt pi) e^{-x0^2} sum_k b_k h^(k+1)/(k+1),
 *    with b_k the Taylor coefficients of e^{-2 x0 h - h^2} (a scaled Hermite
 *    recurrence). erf(x0) is stored as a double-double, so again only the
 *    correction (|h| <= 1/8) is subject to rounding. For a < 2 the same
 *    expansion gives erfc = (1 - erf(x0)) - correction.
 *  - otherwise: Laplace continued fraction
 *    erfc(a) = e^{-a^2} / (sqrt(pi) (a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))),
 *    evaluated bottom-up, with the final divisions carried in double-double so
 *    the error is essentially that of Math.exp; erf = 1 - erfc.
 */

// 2/sqrt(pi) = C_HI + C_LO (double-double).
const C_HI = 1.1283791670955126;
const C_LO = 1.533545961316588e-17;
// sqrt(pi) = SQRT_PI_HI + SQRT_PI_LO.
const SQRT_PI_HI = 1.772453850905516;
const SQRT_PI_LO = -7.666586499825799e-17;

// Veltkamp splitting constant 2^27 + 1.
const SPLITTER = 134217729;

/** The exact rounding error a*b - fl(a*b), given p = fl(a*b) (Dekker). */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

// Maclaurin coefficients of p(z) = erf(x)/((2/sqrt pi) x) - 1 with z = x^2:
// (-1)^n / (n! (2n+1)), n = 1..15. Every denominator is an integer below 2^53,
// so each coefficient is a correctly rounded quotient.
const SERIES: readonly number[] = (() => {
  const out: number[] = [];
  let fact = 1;
  for (let n = 1; n <= 15; n++) {
    fact *= n;
    out.push((n % 2 === 0 ? 1 : -1) / (fact * (2 * n + 1)));
  }
  return out;
})();

const SMALL_LIMIT = 0.625;
const TWO_M960 = 2 ** -960;
const TWO_P100 = 2 ** 100;
const TWO_M100 = 2 ** -100;

/** erf(x), or erfc(x) when `complement`, for |x| < 0.625. */
function erfSmall(x: number, complement: boolean): number {
  // Below ~2^-960 the Dekker error term would fall into the subnormal range;
  // scaling by a power of two is exact and erf is linear there.
  if (!complement && Math.abs(x) < TWO_M960) return erfSmall(x * TWO_P100, false) * TWO_M100;
  const z = x * x;
  let p = 0;
  for (let i = SERIES.length - 1; i >= 0; i--) p = p * z + SERIES[i]!;
  p *= z;
  const hi = C_HI * x;
  const corr = productError(C_HI, x, hi) + C_LO * x + hi * p;
  if (!complement) return hi + corr;
  // 1 - hi as an exact sum s + (1 - s - hi), since |hi| < 1.
  const s = 1 - hi;
  return s + (1 - s - hi - corr);
}

// Centers x0 = i/4 for i = 3..11: [erf(x0) high, erf(x0) low, (2/sqrt pi) e^{-x0^2}],
// each entry correctly rounded from a 300-bit evaluation.
const CENTER_VALUES: readonly (readonly [number, number, number])[] = [
  [0.7111556336535151, 4.69744077164289e-17, 0.6429310691952074],
  [0.8427007929497149, -2.4801011789118602e-17, 0.4151074974205947],
  [0.9229001282564583, -5.51775442986392e-17, 0.2365211224472908],
  [0.9661051464753108, -3.3867031441680696e-17, 0.11893028922362937],
  [0.9866716712191824, 2.1431190289565338e-17, 0.05277499593015037],
  [0.9953222650189527, 2.20719858329765e-17, 0.020666985354092053],
  [0.9985372834133188, 2.6956405885413457e-17, 0.007142319022017983],
  [0.999593047982555, 4.6925151097042234e-17, 0.0021782842303527095],
  [0.9998993780778803, 4.451378916214761e-17, 0.0005862772470937923],
];
const FIRST_CENTER = 3;
const MID_LIMIT = 2.875;
// erfc switches to the continued fraction earlier: for larger a the correction
// is comparable to erfc itself and its rounding error would show.
const ERFC_MID_LIMIT = 2;
// With |h| <= 1/8, terms with k > 15 are below 2^-60 of the leading one.
const CENTER_TERMS = 18;

interface Center {
  readonly hi: number;
  readonly lo: number;
  /** Coefficients q_k of the correction sum_k q_k h^(k+1). */
  readonly q: readonly number[];
}

const CENTERS: readonly Center[] = CENTER_VALUES.map(([hi, lo, scale], j) => {
  const x0 = (j + FIRST_CENTER) / 4;
  // e^{-(x0+h)^2} = e^{-x0^2} sum_k b_k h^k with (k+1) b_{k+1} = -2 x0 b_k - 2 b_{k-1}.
  const q: number[] = [];
  let prev = 0;
  let b = 1;
  for (let k = 0; k < CENTER_TERMS; k++) {
    q.push((scale * b) / (k + 1));
    const next = (-2 * x0 * b - 2 * prev) / (k + 1);
    prev = b;
    b = next;
  }
  return { hi, lo, q };
});

/**
 * erf(a), or erfc(a) when `complement`, for 0.625 <= a < 2.875, expanded
 * about the nearest center.
 */
function erfMid(a: number, complement: boolean): number {
  const i = Math.round(a * 4);
  const { hi, lo, q } = CENTERS[i - FIRST_CENTER]!;
  const h = a - i / 4; // exact (Sterbenz)
  let s = 0;
  for (let k = q.length - 1; k >= 0; k--) s = s * h + q[k]!;
  const d = s * h;
  // 1 - hi is exact since hi >= 0.5.
  return complement ? 1 - hi + (-lo - d) : hi + (lo + d);
}

/** erfc(a) for a >= 2 by the continued fraction. */
function erfcLarge(a: number): number {
  // erfc(27.5) < 2^-1090 rounds to zero (this also keeps the splits below finite).
  if (a >= 27.5) return 0;
  // Level count keeps the truncation error under 0.01 ulp for a >= 2.
  const levels = 10 + Math.floor(260 / (a * a));
  let f = a;
  for (let k = levels; k >= 2; k--) f = a + (0.5 * k) / f;
  // The last level, f = a + 1/(2f), kept as fh + fl.
  const t = 0.5 / f;
  const fh = a + t;
  const fl = a - fh + t;
  // sqrt(pi) * f = dh + dl.
  const dh = SQRT_PI_HI * fh;
  const dl = productError(SQRT_PI_HI, fh, dh) + SQRT_PI_LO * fh + SQRT_PI_HI * fl;
  // e^{-a^2} with a^2 = zh + zl exactly; e^{-zl} = 1 - zl to far below an ulp.
  const zh = a * a;
  const zl = productError(a, a, zh);
  const e = Math.exp(-zh);
  // e / dh = q + r / dh exactly.
  const q = e / dh;
  const qd = q * dh;
  const r = e - qd - productError(q, dh, qd);
  return q + (r / dh - q * (zl + dl / dh));
}

// Beyond this, erfc(a) < 2^-54 so 1 - erfc(a) rounds to 1.
const ERF_ONE = 6;

/** The error function erf(x) = (2/sqrt pi) * integral_0^x e^{-t^2} dt. */
export function erf(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a < SMALL_LIMIT) return erfSmall(x, false);
  let r: number;
  if (a < MID_LIMIT) {
    r = erfMid(a, false);
  } else if (a < ERF_ONE) {
    r = 1 - erfcLarge(a);
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

/** The complementary error function erfc(x) = 1 - erf(x), accurate in relative terms for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < SMALL_LIMIT) return erfSmall(x, true);
  const r = a < ERFC_MID_LIMIT ? erfMid(a, true) : erfcLarge(a);
  return x < 0 ? 2 - r : r;
}
