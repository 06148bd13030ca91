/**
 * Agreement between two label assignments (say, true classes and cluster ids),
 * as scikit-learn computes them:
 *
 * - `normalizedMutualInfo`: normalized_mutual_info_score with its default
 *   arithmetic normalisation, MI / ((H(U) + H(V)) / 2), natural logarithms.
 *   Both labelings with a single cluster (or none) give 1; MI = 0 gives 0.
 * - `adjustedRand`: adjusted_rand_score, from the pair confusion matrix
 *   (tn, fp, fn, tp, ordered pairs): 2(tp·tn - fn·fp) / ((tp + fn)(fn + tn) +
 *   (tp + fp)(fp + tn)), 1 when fn = fp = 0. Pair counts are exact (BigInt).
 *
 * Label values are arbitrary integers (any ArrayLike<number>); only which
 * items share a label matters, so both scores ignore how labels are named.
 */

export type Labels = ArrayLike<number>;

/** Counts n_ij of items with label i in `a` and j in `b`, over the distinct labels of each (in order of first appearance). */
export interface Contingency {
  readonly rows: number;
  readonly cols: number;
  /** rows×cols, row-major. */
  readonly counts: Float64Array;
  readonly rowSums: Float64Array;
  readonly colSums: Float64Array;
  readonly n: number;
}

function denseIds(labels: Labels, what: string): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l)) throw new RangeError(`clustering: ${what} label ${l} at index ${i} is not an integer`);
    let id = map.get(l);
    if (id === undefined) {
      id = map.size;
      map.set(l, id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

/** The contingency table of two labelings of the same items (counts of each pair of labels). */
export function contingency(a: Labels, b: Labels): Contingency {
  if (a.length !== b.length) throw new RangeError(`clustering: the labelings have ${a.length} and ${b.length} items`);
  const u = denseIds(a, 'first');
  const v = denseIds(b, 'second');
  const counts = new Float64Array(u.count * v.count);
  const rowSums = new Float64Array(u.count);
  const colSums = new Float64Array(v.count);
  for (let i = 0; i < a.length; i++) {
    const r = u.ids[i]!;
    const c = v.ids[i]!;
    counts[r * v.count + c]!++;
    rowSums[r]!++;
    colSums[c]!++;
  }
  return { rows: u.count, cols: v.count, counts, rowSums, colSums, n: a.length };
}

/** Shannon entropy (nats) of a labeling's cluster sizes, as sklearn's entropy(labels). */
function entropy(sizes: Float64Array, n: number): number {
  if (sizes.length === 0) return 1; // sklearn: entropy of no labels is 1.0
  const logN = Math.log(n);
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * (Math.log(s) - logN);
  return h;
}

/** Mutual information (nats) of two labelings, as sklearn's mutual_info_score. */
export function mutualInfo(a: Labels, b: Labels): number {
  return mutualInfoOf(contingency(a, b));
}

function mutualInfoOf(t: Contingency): number {
  const logN = Math.log(t.n);
  let mi = 0;
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) {
      const nij = t.counts[r * t.cols + c]!;
      if (nij === 0) continue;
      const p = nij / t.n;
      const term = p * (Math.log(nij) - logN) + p * (-Math.log(t.rowSums[r]! * t.colSums[c]!) + logN + logN);
      // sklearn zeroes terms below machine epsilon, then clips the sum at 0.
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
  }
  return Math.max(mi, 0);
}

/** sklearn's normalized_mutual_info_score(a, b) with average_method='arithmetic'. */
export function normalizedMutualInfo(a: Labels, b: Labels): number {
  const t = contingency(a, b);
  if ((t.rows === 1 && t.cols === 1) || (t.rows === 0 && t.cols === 0)) return 1;
  const mi = mutualInfoOf(t);
  if (mi === 0) return 0;
  const normalizer = (entropy(t.rowSums, t.n) + entropy(t.colSums, t.n)) / 2;
  return mi / normalizer;
}

/** The pair confusion matrix of sklearn (ordered pairs of distinct items): [[tn, fp], [fn, tp]]. */
export function pairConfusion(a: Labels, b: Labels): { tn: bigint; fp: bigint; fn: bigint; tp: bigint } {
  const t = contingency(a, b);
  const n = BigInt(t.n);
  let sumSquares = 0n;
  for (const v of t.counts) sumSquares += BigInt(v) * BigInt(v);
  // contingency·colSums summed: Σ_ij n_ij·b_j = Σ_j b_j²; likewise Σ_i a_i².
  let rowSq = 0n;
  for (const v of t.rowSums) rowSq += BigInt(v) * BigInt(v);
  let colSq = 0n;
  for (const v of t.colSums) colSq += BigInt(v) * BigInt(v);
  const tp = sumSquares - n;
  const fp = colSq - sumSquares;
  const fn = rowSq - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  return { tn, fp, fn, tp };
}

/** sklearn's adjusted_rand_score(a, b). */
export function adjustedRand(a: Labels, b: Labels): number {
  const { tn, fp, fn, tp } = pairConfusion(a, b);
  if (fn === 0n && fp === 0n) return 1;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  // Exact integers; the one rounding each is a relative error of 2^-53.
  return Number(num) / Number(den);
}
