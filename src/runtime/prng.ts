/**
 * Explicit, splittable, counter-based pseudo-random keys in the style of JAX.
 *
 * A {@link Key} is a plain immutable pair of uint32 words. Nothing here holds
 * state: every random value is a pure function of a key and an index, built on
 * the Threefry-2x32 block function (20 rounds; Salmon, Moraes, Dror & Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011 / Random123).
 *
 * Counter layout. Each Threefry call takes a two-word counter [hi, lo]. The
 * high word names a *domain* so that the different uses of one key never
 * evaluate the same block:
 *
 *   hi = 0        split / foldIn: child i = threefry2x32(key, [0, i]); this is
 *                 the layout of JAX's partitionable ("fold-like") split and of
 *                 its fold_in, so split(key)[i] equals foldIn(key, i).
 *   hi = 1        raw bits: element i is word (i % 2) of
 *                 threefry2x32(key, [1, floor(i / 2)]) (bitsAt, uniformAt).
 *   hi = 2 + j    normals: element i uses both words of
 *                 threefry2x32(key, [2 + j, i]); normalAt uses j = 0 and the
 *                 truncated-normal rejection sampler uses attempt j = 0, 1, ...
 *
 * As in JAX, a key should be used either to derive children or to draw values;
 * the domains merely make accidental reuse harmless for the bits/normal streams.
 * Every element depends only on (key, i), so a GPU kernel can compute element i
 * alone with one Threefry evaluation (rejection attempts aside).
 */

/** A PRNG key: two uint32 words [hi, lo]. */
export type Key = readonly [number, number];

const TWO_POW_32 = 4294967296;
const UINT32_MAX = 0xffffffff;
/** Threefry-2x32 rotation constants (Random123 R_32x2). */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
/** Key-schedule parity constant (Skein / Random123 SKEIN_KS_PARITY32). */
const KS_PARITY = 0x1bd11bda;
const ROUNDS = 20;

const DOMAIN_SPLIT = 0;
const DOMAIN_BITS = 1;
const DOMAIN_NORMAL = 2;
/**
 * Cap on rejection attempts for the truncated normal. The proposal is chosen so
 * that acceptance is never tiny, so reaching this is astronomically unlikely.
 */
const MAX_TRUNC_ATTEMPTS = 4096;

function isUint32(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= UINT32_MAX;
}

function assertKey(k: Key, fn: string): void {
  if (!Array.isArray(k) || k.length !== 2 || !isUint32(k[0]) || !isUint32(k[1])) {
    throw new Error(`${fn}: expected a key of two uint32 words, got ${describe(k)}`);
  }
}

function describe(x: unknown): string {
  try {
    return Array.isArray(x) ? `[${x.map(String).join(', ')}]` : String(x);
  } catch {
    return typeof x;
  }
}

function assertIndex(i: number, limit: number, fn: string, what = 'index'): void {
  if (!Number.isSafeInteger(i) || i < 0 || i >= limit) {
    throw new Error(`${fn}: ${what} must be an integer in [0, ${limit}), got ${i}`);
  }
}

function assertCount(count: number, limit: number, fn: string): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > limit) {
    throw new Error(`${fn}: count must be an integer in [0, ${limit}], got ${count}`);
  }
}

function makeKey(hi: number, lo: number): Key {
  return Object.freeze([hi >>> 0, lo >>> 0] as const);
}

/**
 * Builds a key from a seed, like JAX's PRNGKey: the seed's high and low 32-bit
 * words, [floor(seed / 2^32), seed mod 2^32].
 * @param seed a non-negative safe integer (0 <= seed <= 2^53 - 1)
 */
export function key(seed: number): Key {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(
      `key: seed must be a non-negative safe integer (0 <= seed <= ${Number.MAX_SAFE_INTEGER}), got ${String(seed)}`,
    );
  }
  return makeKey(Math.floor(seed / TWO_POW_32), seed % TWO_POW_32);
}

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** Threefry-2x32-20 without argument checks; all words are uint32. */
function threefryRaw(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = (KS_PARITY ^ ks0 ^ ks1) >>> 0;
  const ks = [ks0, ks1, ks2] as const;
  let x0 = ((c0 >>> 0) + ks0) >>> 0;
  let x1 = ((c1 >>> 0) + ks1) >>> 0;
  for (let r = 0; r < ROUNDS; r++) {
    x0 = (x0 + x1) >>> 0;
    x1 = rotl32(x1, ROTATIONS[r % 8]!);
    x1 = (x1 ^ x0) >>> 0;
    if (r % 4 === 3) {
      // Key injection s after every 4 rounds.
      const s = (r + 1) / 4;
      x0 = (x0 + ks[s % 3]!) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3]! + s) >>> 0;
    }
  }
  return [x0, x1];
}

/**
 * The Threefry-2x32 block function with 20 rounds (Random123 threefry2x32_20):
 * encrypts the two-word counter under the two-word key.
 */
export function threefry2x32(key: Key, counter: readonly [number, number]): [number, number] {
  assertKey(key, 'threefry2x32');
  if (
    !Array.isArray(counter) ||
    counter.length !== 2 ||
    !isUint32(counter[0]) ||
    !isUint32(counter[1])
  ) {
    throw new Error(`threefry2x32: expected a counter of two uint32 words, got ${describe(counter)}`);
  }
  return threefryRaw(key[0], key[1], counter[0], counter[1]);
}

/**
 * Derives n new keys: key i is threefry2x32(key, [0, i]) (JAX's partitionable
 * split layout). Deterministic; distinct counters give independent keys.
 */
export function split(key: Key, n = 2): Key[] {
  assertKey(key, 'split');
  assertCount(n, TWO_POW_32, 'split');
  const out: Key[] = new Array<Key>(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = threefryRaw(key[0], key[1], DOMAIN_SPLIT, i);
    out[i] = makeKey(a, b);
  }
  return out;
}

/**
 * Derives a key from `key` and a uint32 `data` (e.g. a step or layer index):
 * threefry2x32(key, [0, data]), as JAX's fold_in. Note foldIn(key, i) equals
 * split(key, n)[i] for i < n, exactly as in JAX.
 */
export function foldIn(key: Key, data: number): Key {
  assertKey(key, 'foldIn');
  if (!isUint32(data)) {
    throw new Error(`foldIn: data must be an integer in [0, 2^32), got ${String(data)}`);
  }
  const [a, b] = threefryRaw(key[0], key[1], DOMAIN_SPLIT, data);
  return makeKey(a, b);
}

/** Largest bits index: floor(i / 2) must fit in the low counter word. */
const BITS_LIMIT = 2 * TWO_POW_32;

function bitsRaw(k: Key, i: number): number {
  const block = Math.floor(i / 2);
  const [a, b] = threefryRaw(k[0], k[1], DOMAIN_BITS, block);
  return i % 2 === 0 ? a : b;
}

/**
 * Element i of the key's uint32 bit stream: word (i % 2) of
 * threefry2x32(key, [1, floor(i / 2)]). Depends only on (key, i).
 */
export function bitsAt(key: Key, i: number): number {
  assertKey(key, 'bitsAt');
  assertIndex(i, BITS_LIMIT, 'bitsAt');
  return bitsRaw(key, i);
}

/** `count` uint32 words; element i is bitsAt(key, i). */
export function randomBits(key: Key, count: number): Uint32Array {
  assertKey(key, 'randomBits');
  assertCount(count, BITS_LIMIT, 'randomBits');
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = bitsRaw(key, i);
  return out;
}

/**
 * Maps a uint32 word to the open interval (0, 1): (bits + 0.5) / 2^32.
 * One word per value keeps this cheap and GPU-friendly; the midpoint offset
 * means the result is never 0 (so log(u) is finite) and never 1 (the largest
 * value is 1 - 2^-33, exact in float64). Resolution is 2^-32, coarser than a
 * full 53-bit float64 mantissa, which is adequate for initialisation / noise.
 */
function wordToOpenUnit(bits: number): number {
  return (bits + 0.5) / TWO_POW_32;
}

/**
 * Uniform value in (0, 1) (so also in [0, 1)) for element i:
 * (bitsAt(key, i) + 0.5) / 2^32. Never exactly 0 or 1.
 */
export function uniformAt(key: Key, i: number): number {
  assertKey(key, 'uniformAt');
  assertIndex(i, BITS_LIMIT, 'uniformAt');
  return wordToOpenUnit(bitsRaw(key, i));
}

const TWO_PI = 2 * Math.PI;

/** Box–Muller (cosine branch) from the two words of one Threefry block. */
function normalFromBlock(w0: number, w1: number): number {
  const u1 = wordToOpenUnit(w0);
  const u2 = wordToOpenUnit(w1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2);
}

function normalRaw(k: Key, i: number, attempt: number): number {
  const [w0, w1] = threefryRaw(k[0], k[1], DOMAIN_NORMAL + attempt, i);
  return normalFromBlock(w0, w1);
}

/**
 * Standard normal value for element i: Box–Muller (cosine branch only, so the
 * element depends only on (key, i)) on both words of
 * threefry2x32(key, [2, i]). Since u1 >= 2^-33, |value| <= sqrt(66 ln 2) ~ 6.76.
 */
export function normalAt(key: Key, i: number): number {
  assertKey(key, 'normalAt');
  assertIndex(i, TWO_POW_32, 'normalAt');
  return normalRaw(key, i, 0);
}

/** Uniform values in [low, high); element i is low + (high - low) * uniformAt(key, i). */
export function uniform(key: Key, count: number, low = 0, high = 1): Float64Array {
  assertKey(key, 'uniform');
  assertCount(count, BITS_LIMIT, 'uniform');
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high) || !Number.isFinite(high - low)) {
    throw new Error(`uniform: need finite low < high with finite high - low, got low=${low}, high=${high}`);
  }
  const width = high - low;
  const below = nextDown(high);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = low + width * wordToOpenUnit(bitsRaw(key, i));
    // Rounding can land on `high` for very wide or offset ranges; keep [low, high).
    out[i] = v < high ? v : below;
  }
  return out;
}

/** Largest double below a finite x. */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] = bits[0]! + (x > 0 ? -1n : 1n);
  return buf[0]!;
}

/** `count` standard normal values; element i is normalAt(key, i). */
export function normal(key: Key, count: number): Float64Array {
  assertKey(key, 'normal');
  assertCount(count, TWO_POW_32, 'normal');
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = normalRaw(key, i, 0);
  return out;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(TWO_PI);

type Proposal = 'normal' | 'uniform' | 'exponential';

/**
 * Picks the most efficient exact rejection proposal for N(0,1) restricted to
 * [a, b] with a >= 0 or a <= 0 <= b (callers mirror b <= 0 onto a >= 0), after
 * Robert (1995), "Simulation of truncated normal variables". The acceptance
 * rates share the factor P = P(a < Z < b), so they compare without erf:
 *   normal proposal:       P
 *   uniform on [a, b]:     sqrt(2 pi) e^{m^2/2} P / (b - a), m = min |x| on [a, b]
 *   translated exponential sqrt(2 pi) lam e^{lam a - lam^2/2} P, lam = (a + sqrt(a^2 + 4)) / 2
 *   (the last only for a >= 0).
 */
function chooseProposal(a: number, b: number): { kind: Proposal; m: number; lam: number } {
  const m = a > 0 ? a : 0;
  let best: Proposal = 'normal';
  let bestLog = 0;
  const logU = HALF_LOG_TWO_PI + (m * m) / 2 - Math.log(b - a);
  if (logU > bestLog) {
    best = 'uniform';
    bestLog = logU;
  }
  let lam = 0;
  if (a >= 0) {
    lam = a / 2 + Math.sqrt((a / 2) * (a / 2) + 1);
    const logE = HALF_LOG_TWO_PI + Math.log(lam) + lam * a - (lam * lam) / 2;
    if (logE > bestLog) {
      best = 'exponential';
      bestLog = logE;
    }
  }
  return { kind: best, m, lam };
}

/**
 * Exact sample of N(0, 1) restricted to [a, b] (a < b in standard units) for
 * element i, by rejection: attempt j uses the block threefry2x32(key, [2 + j, i]),
 * so the result depends only on (key, i, a, b), and when the normal proposal is
 * used, attempt 0 is exactly normalAt(key, i).
 */
function truncatedStandardRaw(k: Key, i: number, a: number, b: number): number {
  // Mirror an interval on the negative side onto the positive side.
  const flip = b <= 0 && a < 0;
  const lo = flip ? -b : a;
  const hi = flip ? -a : b;
  const { kind, m, lam } = chooseProposal(lo, hi);
  for (let j = 0; j < MAX_TRUNC_ATTEMPTS; j++) {
    const [w0, w1] = threefryRaw(k[0], k[1], DOMAIN_NORMAL + j, i);
    let x: number;
    if (kind === 'normal') {
      x = normalFromBlock(w0, w1);
      if (x < lo || x > hi) continue;
    } else if (kind === 'uniform') {
      x = lo + (hi - lo) * wordToOpenUnit(w0);
      if (x > hi) x = hi;
      if (wordToOpenUnit(w1) > Math.exp((m * m - x * x) / 2)) continue;
    } else {
      x = lo - Math.log(wordToOpenUnit(w0)) / lam;
      if (x > hi) continue;
      const d = x - lam;
      if (wordToOpenUnit(w1) > Math.exp((-d * d) / 2)) continue;
    }
    return flip ? -x : x;
  }
  throw new Error(
    `truncatedNormal: rejection sampling did not accept within ${MAX_TRUNC_ATTEMPTS} attempts for element ${i} on [${a}, ${b}] (standard units)`,
  );
}

function checkTruncArgs(std: number, lower: number, upper: number, fn: string): void {
  if (!Number.isFinite(std) || !(std > 0)) {
    throw new Error(`${fn}: std must be a finite positive number, got ${std}`);
  }
  if (Number.isNaN(lower) || Number.isNaN(upper) || !(lower < upper)) {
    throw new Error(`${fn}: need lower < upper, got lower=${lower}, upper=${upper}`);
  }
}

function truncatedValue(k: Key, i: number, std: number, lower: number, upper: number): number {
  const z = truncatedStandardRaw(k, i, lower / std, upper / std);
  const v = z * std;
  // Guard against rounding in the rescale.
  return v < lower ? lower : v > upper ? upper : v;
}

/**
 * Element i of {@link truncatedNormal}: a draw from N(0, std^2) conditioned on
 * [lower, upper] (absolute units). Depends only on (key, i, std, lower, upper).
 */
export function truncatedNormalAt(key: Key, i: number, std: number, lower = -2, upper = 2): number {
  assertKey(key, 'truncatedNormalAt');
  assertIndex(i, TWO_POW_32, 'truncatedNormalAt');
  checkTruncArgs(std, lower, upper, 'truncatedNormalAt');
  return truncatedValue(key, i, std, lower, upper);
}

/**
 * `count` draws from N(0, std^2) truncated to [lower, upper], with PyTorch
 * trunc_normal_ semantics: the bounds are absolute values, not multiples of std
 * (so with std = 0.02 the default [-2, 2] almost never truncates). Sampling is
 * exact rejection sampling (normal, uniform or exponential proposal, whichever
 * accepts most often for the interval), not an inverse CDF; bounds may be
 * infinite. When the normal proposal is chosen (any interval containing most of
 * the mass), values inside the bounds coincide with std * normal(key, count).
 */
export function truncatedNormal(
  key: Key,
  count: number,
  std: number,
  lower = -2,
  upper = 2,
): Float64Array {
  assertKey(key, 'truncatedNormal');
  assertCount(count, TWO_POW_32, 'truncatedNormal');
  checkTruncArgs(std, lower, upper, 'truncatedNormal');
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = truncatedValue(key, i, std, lower, upper);
  return out;
}
