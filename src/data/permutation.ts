/**
 * Random permutations from an explicit key (Fisher–Yates, Durstenfeld's
 * in-place form). Step t (t = 0 .. n-2) swaps position i = n-1-t with
 * j = floor(bits_t · (i + 1) / 2^32), bits_t the key's t-th uint32 word
 * (bitsAt(key, t)). The multiply-shift maps 2^32 words onto i + 1 buckets whose
 * sizes differ by at most one word: a bias below (i + 1) / 2^32, about 1.4e-5
 * for n = 60000, which is immaterial for shuffling.
 */
import { randomBits, type Key } from '../runtime/prng.js';

/** A uniform random permutation of 0..n-1 from an explicit key (Fisher-Yates). */
export function permutation(key: Key, n: number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`permutation: n must be an integer in [0, 2^32), got ${n}`);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (n < 2) return out;
  const bits = randomBits(key, n - 1);
  for (let t = 0; t < n - 1; t++) {
    const i = n - 1 - t;
    // Exact below n = 2^21; the min guards rounding of the 64-bit product above that.
    const j = Math.min(i, Math.floor((bits[t]! * (i + 1)) / 4294967296));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
