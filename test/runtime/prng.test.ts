import { strict as assert } from 'node:assert';
import {
  bitsAt,
  foldIn,
  key,
  normal,
  normalAt,
  randomBits,
  split,
  threefry2x32,
  truncatedNormal,
  truncatedNormalAt,
  uniform,
  uniformAt,
  type Key,
} from '../../src/runtime/prng.js';

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
}

function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const N = 100_000;

describe('runtime/prng', () => {
  describe('threefry2x32', () => {
    // Random123 kat_vectors, threefry2x32_20.
    const kat: Array<[Key, [number, number], [number, number]]> = [
      [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
      [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
      [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
    ];
    for (const [k, ctr, expected] of kat) {
      it(`matches the Random123 known answer for key ${k.map((w) => w.toString(16))}`, () => {
        assert.deepEqual(threefry2x32(k, ctr), expected);
      });
    }

    it('returns uint32 words and does not mutate its inputs', () => {
      const k: Key = [0xdeadbeef, 0x12345678];
      const c: readonly [number, number] = [7, 9];
      const out = threefry2x32(k, c);
      for (const w of out) assert.ok(Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
      assert.deepEqual(k, [0xdeadbeef, 0x12345678]);
      assert.deepEqual(c, [7, 9]);
    });

    it('rejects malformed keys and counters', () => {
      assert.throws(() => threefry2x32([1, -1] as unknown as Key, [0, 0]), /key/);
      assert.throws(() => threefry2x32([0, 0], [0, 2 ** 32]), /counter/);
      assert.throws(() => threefry2x32([0.5, 0] as unknown as Key, [0, 0]), /key/);
    });
  });

  describe('key', () => {
    it('splits the seed into [hi, lo] words like JAX PRNGKey', () => {
      assert.deepEqual(key(0), [0, 0]);
      assert.deepEqual(key(42), [0, 42]);
      assert.deepEqual(key(0xffffffff), [0, 0xffffffff]);
      assert.deepEqual(key(2 ** 32 + 5), [1, 5]);
      assert.deepEqual(key(Number.MAX_SAFE_INTEGER), [0x1fffff, 0xffffffff]);
    });

    it('returns an immutable value', () => {
      const k = key(3);
      assert.ok(Object.isFrozen(k));
    });

    it('rejects negative, non-integer, unsafe and non-numeric seeds, naming the seed', () => {
      assert.throws(() => key(-1), /-1/);
      assert.throws(() => key(1.5), /1\.5/);
      assert.throws(() => key(2 ** 53), /9007199254740992/);
      assert.throws(() => key(Number.NaN), /NaN/);
      assert.throws(() => key(Number.POSITIVE_INFINITY), /Infinity/);
      assert.throws(() => key('7' as unknown as number), /seed/);
    });
  });

  describe('split / foldIn', () => {
    it('is deterministic and reproducible', () => {
      assert.deepEqual(split(key(0)), split(key(0)));
      assert.deepEqual(split(key(123), 5), split(key(123), 5));
      assert.deepEqual(foldIn(key(9), 17), foldIn(key(9), 17));
    });

    it('child i is threefry2x32(key, [0, i]), matching JAX partitionable split of PRNGKey(0)', () => {
      const [a, b] = split(key(0));
      assert.deepEqual(a, [0x6b200159, 0x99ba4efe]);
      // jax.random.split(jax.random.PRNGKey(0)) with jax_threefry_partitionable.
      assert.deepEqual(a, [1797259609, 2579123966]);
      assert.deepEqual(b, [928981903, 3453687069]);
      assert.deepEqual(split(key(5), 4)[3], foldIn(key(5), 3));
    });

    it('produces distinct keys, distinct from the parent, that vary with the parent', () => {
      const parent = key(2024);
      const kids = split(parent, 64);
      assert.equal(kids.length, 64);
      const seen = new Set(kids.map((k) => `${k[0]},${k[1]}`));
      seen.add(`${parent[0]},${parent[1]}`);
      assert.equal(seen.size, 65);
      assert.notDeepEqual(split(key(1)), split(key(2)));
      assert.notDeepEqual(foldIn(parent, 0), foldIn(parent, 1));
      assert.notDeepEqual(foldIn(key(1), 0), foldIn(key(2), 0));
      for (const k of kids) assert.ok(Object.isFrozen(k));
      assert.deepEqual(split(parent, 0), []);
    });

    it('a prefix of a larger split equals the smaller split', () => {
      assert.deepEqual(split(key(77), 8).slice(0, 3), split(key(77), 3));
    });

    it('gives streams that look independent', () => {
      const [k1, k2] = split(key(11)) as [Key, Key];
      const r = correlation(uniform(k1, N), uniform(k2, N));
      assert.ok(Math.abs(r) < 0.015, `correlation ${r}`);
    });

    it('rejects bad arguments', () => {
      assert.throws(() => split(key(0), -1), /count/);
      assert.throws(() => split(key(0), 1.5), /count/);
      assert.throws(() => foldIn(key(0), -1), /data/);
      assert.throws(() => foldIn(key(0), 2 ** 32), /data/);
    });
  });

  describe('bits', () => {
    it('randomBits element i equals bitsAt(key, i) and is counter-based', () => {
      const k = key(31337);
      const bits = randomBits(k, 101);
      assert.equal(bits.length, 101);
      for (let i = 0; i < bits.length; i++) assert.equal(bits[i], bitsAt(k, i));
      // Element i depends only on (key, i): a shorter request is a prefix.
      assert.deepEqual(Array.from(randomBits(k, 10)), Array.from(bits.subarray(0, 10)));
      // Documented layout: word (i % 2) of threefry2x32(key, [1, floor(i / 2)]).
      assert.deepEqual([bits[6], bits[7]], threefry2x32(k, [1, 3]));
    });

    it('is deterministic and key-dependent', () => {
      assert.deepEqual(randomBits(key(1), 64), randomBits(key(1), 64));
      assert.notDeepEqual(randomBits(key(1), 64), randomBits(key(2), 64));
    });

    it('has roughly balanced bits', () => {
      const bits = randomBits(key(5), 20_000);
      const ones = new Array<number>(32).fill(0);
      for (const w of bits) for (let b = 0; b < 32; b++) ones[b]! += (w >>> b) & 1;
      for (const c of ones) assert.ok(Math.abs(c / bits.length - 0.5) < 0.02, `bit frequency ${c}`);
    });

    it('rejects bad indices and counts', () => {
      assert.throws(() => bitsAt(key(0), -1), /index/);
      assert.throws(() => bitsAt(key(0), 0.5), /index/);
      assert.throws(() => randomBits(key(0), -3), /count/);
    });
  });

  describe('uniform', () => {
    it('uniformAt lies strictly inside (0, 1) even at the extreme words', () => {
      for (let i = 0; i < 1000; i++) {
        const u = uniformAt(key(3), i);
        assert.ok(u > 0 && u < 1);
        assert.equal(u, (bitsAt(key(3), i) + 0.5) / 2 ** 32);
      }
      assert.ok((0 + 0.5) / 2 ** 32 > 0);
      assert.ok((0xffffffff + 0.5) / 2 ** 32 < 1);
    });

    it('is deterministic and element-wise equal to uniformAt', () => {
      const k = key(8);
      const a = uniform(k, 500);
      assert.deepEqual(a, uniform(k, 500));
      for (let i = 0; i < a.length; i++) assert.equal(a[i], uniformAt(k, i));
    });

    it('has mean ~1/2 and variance ~1/12 over 100k samples', () => {
      const u = uniform(key(0), N);
      const m = mean(u);
      const v = variance(u);
      assert.ok(Math.abs(m - 0.5) < 0.005, `mean ${m}`);
      assert.ok(Math.abs(v - 1 / 12) < 0.002, `variance ${v}`);
      let min = Infinity;
      let max = -Infinity;
      for (const x of u) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      assert.ok(min > 0 && max < 1);
      // Coarse histogram: each of 10 bins holds ~10%.
      const bins = new Array<number>(10).fill(0);
      for (const x of u) bins[Math.floor(x * 10)]! += 1;
      for (const b of bins) assert.ok(Math.abs(b / N - 0.1) < 0.005, `bin ${b}`);
      // Neighbouring elements (the two words of one block) are uncorrelated.
      const r = correlation(u.subarray(0, N - 1), u.subarray(1));
      assert.ok(Math.abs(r) < 0.015, `lag-1 correlation ${r}`);
    });

    it('scales to [low, high)', () => {
      const u = uniform(key(4), 10_000, -3, 5);
      for (const x of u) assert.ok(x >= -3 && x < 5);
      assert.ok(Math.abs(mean(u) - 1) < 0.1);
      // Even when rounding would reach `high`, values stay below it.
      const tight = uniform(key(4), 1000, 1e16, 1e16 + 2);
      for (const x of tight) assert.ok(x >= 1e16 && x < 1e16 + 2);
      assert.throws(() => uniform(key(0), 3, 1, 1), /low < high/);
      assert.throws(() => uniform(key(0), 3, 0, Infinity), /low < high/);
    });
  });

  describe('normal', () => {
    it('is deterministic, counter-based and element-wise equal to normalAt', () => {
      const k = key(12);
      const z = normal(k, 300);
      assert.deepEqual(z, normal(k, 300));
      for (let i = 0; i < z.length; i++) assert.equal(z[i], normalAt(k, i));
      assert.deepEqual(Array.from(normal(k, 10)), Array.from(z.subarray(0, 10)));
      assert.notDeepEqual(normal(key(12), 10), normal(key(13), 10));
    });

    it('uses both words of threefry2x32(key, [2, i]) via Box-Muller', () => {
      const k = key(99);
      const [w0, w1] = threefry2x32(k, [2, 17]);
      const u1 = (w0 + 0.5) / 2 ** 32;
      const u2 = (w1 + 0.5) / 2 ** 32;
      assert.equal(normalAt(k, 17), Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    });

    it('has mean ~0 and std ~1 over 100k samples, and plausible tails', () => {
      const z = normal(key(1), N);
      const m = mean(z);
      const s = Math.sqrt(variance(z));
      assert.ok(Math.abs(m) < 0.02, `mean ${m}`);
      assert.ok(Math.abs(s - 1) < 0.02, `std ${s}`);
      let within1 = 0;
      let beyond2 = 0;
      for (const x of z) {
        assert.ok(Number.isFinite(x));
        if (Math.abs(x) < 1) within1++;
        if (Math.abs(x) > 2) beyond2++;
      }
      assert.ok(Math.abs(within1 / N - 0.6827) < 0.01, `P(|z|<1) ${within1 / N}`);
      assert.ok(Math.abs(beyond2 / N - 0.0455) < 0.005, `P(|z|>2) ${beyond2 / N}`);
    });
  });

  describe('truncatedNormal', () => {
    it('with small std and the default absolute bounds equals std * normal', () => {
      const k = key(21);
      const t = truncatedNormal(k, 10_000, 0.02);
      const z = normal(k, 10_000);
      for (let i = 0; i < t.length; i++) {
        assert.ok(t[i]! >= -2 && t[i]! <= 2);
        assert.equal(t[i], z[i]! * 0.02);
      }
      const s = Math.sqrt(variance(t));
      assert.ok(Math.abs(s - 0.02) < 0.001, `std ${s}`);
    });

    it('std 1 on [-2, 2] stays in bounds with the truncated moments', () => {
      const t = truncatedNormal(key(22), N, 1);
      for (const x of t) assert.ok(x >= -2 && x <= 2);
      // Var of N(0,1) truncated to [-2, 2]: 1 - 4 phi(2) / (Phi(2) - Phi(-2)) = 0.77371.
      assert.ok(Math.abs(mean(t)) < 0.02, `mean ${mean(t)}`);
      assert.ok(Math.abs(variance(t) - 0.77371) < 0.02, `variance ${variance(t)}`);
    });

    it('handles one-sided tails and narrow intervals exactly within bounds', () => {
      // N(0,1) | Z > 3 has mean phi(3) / (1 - Phi(3)) = 3.28310 (exponential proposal).
      const tail = truncatedNormal(key(23), 20_000, 1, 3, Infinity);
      for (const x of tail) assert.ok(x >= 3);
      assert.ok(Math.abs(mean(tail) - 3.2831) < 0.02, `tail mean ${mean(tail)}`);
      const negTail = truncatedNormal(key(23), 20_000, 1, -Infinity, -3);
      for (const x of negTail) assert.ok(x <= -3);
      assert.ok(Math.abs(mean(negTail) + 3.2831) < 0.02, `neg tail mean ${mean(negTail)}`);
      // Far tail: no hang.
      const far = truncatedNormal(key(24), 1000, 1, 10, 12);
      for (const x of far) assert.ok(x >= 10 && x <= 12);
      // Narrow interval (uniform proposal).
      const narrow = truncatedNormal(key(25), 5000, 2, 1.0, 1.1);
      for (const x of narrow) assert.ok(x >= 1.0 && x <= 1.1);
      // Absolute units: std 0.5 on [0, 0.1].
      const small = truncatedNormal(key(26), 5000, 0.5, 0, 0.1);
      for (const x of small) assert.ok(x >= 0 && x <= 0.1);
      assert.ok(Math.abs(mean(small) - 0.05) < 0.005);
    });

    it('is deterministic and element-wise equal to truncatedNormalAt', () => {
      const k = key(27);
      const t = truncatedNormal(k, 200, 1.5, -1, 0.5);
      assert.deepEqual(t, truncatedNormal(k, 200, 1.5, -1, 0.5));
      for (let i = 0; i < t.length; i++) assert.equal(t[i], truncatedNormalAt(k, i, 1.5, -1, 0.5));
    });

    it('rejects bad arguments', () => {
      assert.throws(() => truncatedNormal(key(0), 3, 0), /std/);
      assert.throws(() => truncatedNormal(key(0), 3, -1), /std/);
      assert.throws(() => truncatedNormal(key(0), 3, 1, 2, 2), /lower < upper/);
      assert.throws(() => truncatedNormal(key(0), 3, 1, Number.NaN, 2), /lower < upper/);
    });
  });
});
