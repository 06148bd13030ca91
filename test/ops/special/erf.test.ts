import { strict as assert } from 'node:assert';
import { erf, erfc } from '../../../src/ops/special/erf.js';

// ---------------------------------------------------------------------------
// Exact reference: everything below is integer (BigInt) arithmetic. A value is
// n * 2^k. The double argument is converted exactly, the Maclaurin series is
// summed in fixed point with enough guard bits to absorb its cancellation, and
// the result is compared with the double under test in units of the ulp of the
// exact value.
// ---------------------------------------------------------------------------

interface Scaled {
  readonly n: bigint;
  readonly k: number;
}

/** |x| = m * 2^e exactly, for finite nonzero x. */
function decompose(x: number): { readonly m: bigint; readonly e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

function shift(n: bigint, by: number): bigint {
  return by >= 0 ? n << BigInt(by) : n >> BigInt(-by);
}

/** Fixed-point atan(1/q) * 2^w. */
function atanInverse(q: bigint, w: number): bigint {
  const qq = q * q;
  let term = (1n << BigInt(w)) / q;
  let sum = term;
  for (let j = 1n; term !== 0n; j++) {
    term /= qq;
    sum += (j % 2n === 0n ? 1n : -1n) * (term / (2n * j + 1n));
  }
  return sum;
}

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const twoOverSqrtPiCache = new Map<number, bigint>();
/** floor-ish (2/sqrt(pi)) * 2^w, accurate to a few units. */
function twoOverSqrtPi(w: number): bigint {
  let c = twoOverSqrtPiCache.get(w);
  if (c === undefined) {
    const g = w + 32;
    const pi = 16n * atanInverse(5n, g) - 4n * atanInverse(239n, g); // Machin
    const sqrtPi = isqrt(pi << BigInt(g)); // sqrt(pi) * 2^g
    c = shift((1n << BigInt(2 * g + 1)) / sqrtPi, w - g);
    twoOverSqrtPiCache.set(w, c);
  }
  return c;
}

/**
 * erf(|x|) and erfc(|x|) for finite nonzero x, as exact-enough scaled integers.
 * With P fractional bits, S = sum (-1)^n x^(2n) / (n! (2n+1)) is accurate to
 * about e^{x^2} 2^-P absolutely; P covers that loss plus ~150 further bits.
 */
function reference(x: number): { readonly erf: Scaled; readonly erfc: Scaled } {
  const { m, e } = decompose(x);
  const a = Math.abs(x);
  const p = 150 + Math.ceil(1.4427 * a * a) + 8;
  const one = 1n << BigInt(p);
  const z = shift(m * m, 2 * e + p);
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = ((term * z) >> BigInt(p)) / n;
    sum += (n % 2n === 0n ? 1n : -1n) * (term / (2n * n + 1n));
  }
  const cs = (twoOverSqrtPi(p) * sum) >> BigInt(p); // (2/sqrt pi) S * 2^p
  // erf = cs * m * 2^(e - p); erfc = 1 - erf, formed at 2^-(p + 64) resolution.
  const erfScaled: Scaled = { n: cs * m, k: e - p };
  const q = p + 64;
  const erfcScaled: Scaled = { n: (1n << BigInt(q)) - shift(cs * m, e - p + q), k: -q };
  return { erf: erfScaled, erfc: erfcScaled };
}

/** The double nearest n * 2^k (ties to even), n > 0. */
function roundToDouble(n: bigint, k: number): number {
  let drop = bitLength(n) - 53;
  const top = bitLength(n) - 1 + k;
  if (top < -1022) drop += -1022 - top;
  if (drop > 0) {
    const q = n >> BigInt(drop);
    const rem = n - (q << BigInt(drop));
    const half = 1n << BigInt(drop - 1);
    n = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    k += drop;
  }
  // Two exact power-of-two steps so the intermediate never underflows.
  return Number(n) * 2 ** (k + 600) * 2 ** -600;
}

/** |got - exact| in units of the ulp of the exact value (exact > 0, got >= 0). */
function ulpError(got: number, exact: Scaled): number {
  const ulpExp = Math.max(bitLength(exact.n) - 1 + exact.k - 52, -1074);
  let diff: bigint;
  let base: number;
  if (got === 0) {
    diff = exact.n;
    base = exact.k;
  } else {
    const g = decompose(got);
    base = Math.min(g.e, exact.k);
    diff = shift(g.m, g.e - base) - shift(exact.n, exact.k - base);
  }
  if (diff < 0n) diff = -diff;
  // diff * 2^(base - ulpExp), keeping 64 fractional bits.
  return Number(shift(diff, base - ulpExp + 64)) / 2 ** 64;
}

// ---------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}
function nextDown(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/** Positive points that stress the tiny range, the branch boundaries and the expansion centers. */
function edgePoints(): number[] {
  const pts = [
    5e-324, 1.5e-323, 1e-310, 2 ** -1022, 2 ** -960, 1e-300, 1e-200, 1e-100, 1e-20, 1e-10, 1e-8, 1e-5, 1e-3, 0.1,
    0.25, 0.4769362762044699, 0.5, 0.625, 0.875, 1, 1.5, 2, 2.5, 2.875, 3, 4, 5, 5.86, 5.9, 5.92158719579, 5.999, 6,
  ];
  for (let i = 2; i <= 12; i++) pts.push(i / 4, i / 4 + 1 / 8);
  for (const p of [...pts]) if (p > 2 ** -1000) pts.push(nextUp(p), nextDown(p));
  const rand = mulberry32(7);
  for (let i = 0; i < 200; i++) pts.push(10 ** (-300 + 300 * rand()) * 0.6);
  return pts.filter((p) => p > 0 && p <= 6);
}

const SQRT1_2 = Math.SQRT1_2;

describe('erf / erfc (float64 error function)', function () {
  this.timeout(20000);

  it('the BigInt reference reproduces independently known values', () => {
    const known: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [1e-10, 1.1283791670955126e-10],
    ];
    for (const [x, v] of known) {
      const r = reference(x).erf;
      assert.equal(roundToDouble(r.n, r.k), v, `erf(${x})`);
    }
    const knownC: [number, number][] = [
      [1, 0.15729920705028513],
      [3, 2.209049699858544e-5],
      [5, 1.537459794428035e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, v] of knownC) {
      const r = reference(x).erfc;
      assert.equal(roundToDouble(r.n, r.k), v, `erfc(${x})`);
    }
  });

  it('matches known values exactly', () => {
    assert.equal(erf(1), 0.8427007929497149);
    assert.equal(erf(0.5), 0.5204998778130465);
    assert.equal(erf(2), 0.9953222650189527);
    assert.equal(erf(-1), -0.8427007929497149);
    assert.equal(erfc(1), 0.15729920705028513);
    assert.equal(erfc(0), 1);
  });

  it('handles special values', () => {
    assert.ok(Number.isNaN(erf(NaN)));
    assert.ok(Number.isNaN(erfc(NaN)));
    assert.equal(erf(Infinity), 1);
    assert.equal(erf(-Infinity), -1);
    assert.equal(erfc(Infinity), 0);
    assert.equal(erfc(-Infinity), 2);
    assert.ok(Object.is(erf(0), 0));
    assert.ok(Object.is(erf(-0), -0));
    assert.equal(erfc(-0), 1);
    assert.equal(erf(1e300), 1);
    assert.equal(erf(-7), -1);
    assert.equal(erfc(30), 0);
    assert.equal(erfc(-30), 2);
    assert.equal(erf(5e-324), 5e-324); // (2/sqrt pi) * 2^-1074 rounds back to 2^-1074
    assert.equal(erf(-5e-324), -5e-324);
  });

  it('is odd, and erfc(-x) = 2 - erfc(x)', () => {
    const rand = mulberry32(3);
    for (let i = 0; i < 500; i++) {
      const x = 8 * rand();
      assert.ok(Object.is(erf(-x), -erf(x)), `erf(-${x})`);
      const sum = erfc(x) + erfc(-x);
      assert.ok(Math.abs(sum - 2) <= 2 ** -51, `erfc(${x}) + erfc(-${x}) = ${sum}`);
      if (x < 3) assert.ok(Math.abs(erf(x) + erfc(x) - 1) <= 2 ** -51, `erf + erfc at ${x}`);
    }
  });

  it('erf is within 1 ulp of the exact value on [-6, 6]', () => {
    const rand = mulberry32(12345);
    const xs: number[] = [];
    for (let i = 0; i < 10000; i++) xs.push(12 * rand() - 6);
    for (const p of edgePoints()) xs.push(p, -p);
    // GELU arguments x / sqrt 2 on a grid of activations.
    for (let i = -80; i <= 80; i++) xs.push((i / 10 + 0.013) * SQRT1_2);
    let worst = 0;
    let worstAt = 0;
    for (const x of xs) {
      const ref = reference(x).erf;
      const err = ulpError(Math.abs(erf(x)), ref);
      assert.equal(Math.sign(erf(x)), Math.sign(x));
      if (err > worst) {
        worst = err;
        worstAt = x;
      }
    }
    console.log(`      erf: ${xs.length} points, max error ${worst.toFixed(3)} ulp (at x = ${worstAt})`);
    assert.ok(worst <= 1, `erf max error ${worst} ulp at x = ${worstAt}`);
  });

  it('erf rounds to +-1 beyond ~5.9216', () => {
    for (const x of [5.9216, 6, 6.5, 8, 10]) {
      const r = reference(x).erf;
      assert.equal(roundToDouble(r.n, r.k), 1);
      assert.equal(erf(x), 1);
      assert.equal(erf(-x), -1);
    }
  });

  it('erfc has small relative error on [0, 6], on [-6, 0) and into the subnormal range', () => {
    const rand = mulberry32(999);
    const xs: number[] = [];
    for (let i = 0; i < 4000; i++) xs.push(6 * rand());
    xs.push(...edgePoints());
    for (let i = 0; i < 80; i++) xs.push(6 + 21.4 * rand());
    xs.push(26, 26.5, 26.6, 27, 27.2);
    let worst = 0;
    let worstAt = 0;
    for (const x of xs) {
      const ref = reference(x).erfc;
      const err = ulpError(erfc(x), ref);
      if (err > worst) {
        worst = err;
        worstAt = x;
      }
    }
    console.log(`      erfc: ${xs.length} points, max error ${worst.toFixed(3)} ulp (at x = ${worstAt})`);
    assert.ok(worst <= 2, `erfc max error ${worst} ulp at x = ${worstAt}`);

    // Negative side: erfc(-x) = 1 + erf(x) in [1, 2).
    let worstNeg = 0;
    for (let i = 0; i < 300; i++) {
      const x = 6 * rand();
      const r = reference(x).erf;
      const exact: Scaled = { n: shift(1n, -r.k) + r.n, k: r.k };
      worstNeg = Math.max(worstNeg, ulpError(erfc(-x), exact));
    }
    console.log(`      erfc on [-6, 0): max error ${worstNeg.toFixed(3)} ulp`);
    assert.ok(worstNeg <= 1, `erfc negative max error ${worstNeg}`);
  });
});
