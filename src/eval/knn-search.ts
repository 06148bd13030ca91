/**
 * The inner loop of k-NN: cosine similarities between blocks of query rows and
 * tiles of training rows (both L2-normalised, float32, row-major n×d), fed into
 * a running top-k per query. Plain typed-array JavaScript, register-blocked
 * 4 queries × 4 training rows.
 *
 * Every similarity is the float64 sum of the d products taken in index order
 * (c = 0, 1, ..., d-1), whatever the blocking, so the result equals a naive
 * loop exactly. The running top-k is sorted by similarity, descending; among
 * equal similarities the lower training index comes first and a later equal
 * one never displaces it (the order of a stable descending sort).
 *
 * Measured in CPU time on the two-core AMD EPYC this was written on (Node 20):
 * the dense kernel does about 3.0e9 multiply-adds per second per core at
 * d = 64..784; the sparse kernel about 2.0-2.2e9 non-zero ones. gpu.js's webasm
 * backend computing the same similarity blocks (a kernel over [queries, train]
 * with the d-loop inside) ran at 1.0e9 on one thread and gained nothing from
 * its threaded pipeline, and through shapegrad's compile (with its float32
 * conversions and read-back) at 0.4e9, so the blocks are plain JavaScript.
 */

/**
 * Training rows per tile, a multiple of 8 in [64, 2048]: about 128 KiB of
 * float32 for the dense kernel, four times that for the sparse one (which reads
 * only the columns where queries are non-zero).
 */
export function trainTileRows(d: number, sparse = false): number {
  const rows = Math.floor((sparse ? 131072 : 32768) / Math.max(1, d));
  return Math.max(64, Math.min(2048, rows - (rows % 8)));
}

/**
 * S[i·nb + j] = <A[a0 + i], B[b0 + j]> for i < na, j < nb, as the float64 sum
 * over c = 0 .. d-1 in order.
 */
export function similarityBlock(A: Float32Array, a0: number, na: number, B: Float32Array, b0: number, nb: number, d: number, S: Float64Array): void {
  const na4 = na - (na % 4);
  const nb4 = nb - (nb % 4);
  for (let i = 0; i < na4; i += 4) {
    const p0 = (a0 + i) * d;
    const p1 = p0 + d;
    const p2 = p1 + d;
    const p3 = p2 + d;
    for (let j = 0; j < nb4; j += 4) {
      const q0 = (b0 + j) * d;
      const q1 = q0 + d;
      const q2 = q1 + d;
      const q3 = q2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let c = 0; c < d; c++) {
        const x0 = A[p0 + c]!, x1 = A[p1 + c]!, x2 = A[p2 + c]!, x3 = A[p3 + c]!;
        const y0 = B[q0 + c]!, y1 = B[q1 + c]!, y2 = B[q2 + c]!, y3 = B[q3 + c]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      let o = i * nb + j;
      S[o] = s00; S[o + 1] = s01; S[o + 2] = s02; S[o + 3] = s03; o += nb;
      S[o] = s10; S[o + 1] = s11; S[o + 2] = s12; S[o + 3] = s13; o += nb;
      S[o] = s20; S[o + 1] = s21; S[o + 2] = s22; S[o + 3] = s23; o += nb;
      S[o] = s30; S[o + 1] = s31; S[o + 2] = s32; S[o + 3] = s33;
    }
    // Leftover training rows: 4 queries × 1 row.
    for (let j = nb4; j < nb; j++) {
      const q0 = (b0 + j) * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let c = 0; c < d; c++) {
        const y = B[q0 + c]!;
        s0 += A[p0 + c]! * y; s1 += A[p1 + c]! * y; s2 += A[p2 + c]! * y; s3 += A[p3 + c]! * y;
      }
      const o = i * nb + j;
      S[o] = s0; S[o + nb] = s1; S[o + 2 * nb] = s2; S[o + 3 * nb] = s3;
    }
  }
  // Leftover queries: 1 query × 1 row.
  for (let i = na4; i < na; i++) {
    const p = (a0 + i) * d;
    for (let j = 0; j < nb; j++) {
      const q = (b0 + j) * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += A[p + c]! * B[q + c]!;
      S[i * nb + j] = s;
    }
  }
}

/**
 * Sparse queries (most features exactly zero, as raw pixels): the same sums
 * taken over each query's non-zero features only, gathered from 8 training rows
 * at a time. Skipping a zero product leaves a float64 sum unchanged (s + ±0 = s
 * for the sums that arise here), so S equals similarityBlock's exactly.
 * `cols`/`vals` hold the queries' non-zeros as CSR rows, `starts` their offsets.
 */
export function similarityBlockSparse(starts: Int32Array, cols: Int32Array, vals: Float64Array, na: number, B: Float32Array, b0: number, nb: number, d: number, S: Float64Array): void {
  const nb8 = nb - (nb % 8);
  for (let i = 0; i < na; i++) {
    const u0 = starts[i]!;
    const u1 = starts[i + 1]!;
    const row = i * nb;
    for (let j = 0; j < nb8; j += 8) {
      const q0 = (b0 + j) * d;
      const q1 = q0 + d, q2 = q1 + d, q3 = q2 + d, q4 = q3 + d, q5 = q4 + d, q6 = q5 + d, q7 = q6 + d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let u = u0; u < u1; u++) {
        const c = cols[u]!;
        const x = vals[u]!;
        s0 += x * B[q0 + c]!; s1 += x * B[q1 + c]!; s2 += x * B[q2 + c]!; s3 += x * B[q3 + c]!;
        s4 += x * B[q4 + c]!; s5 += x * B[q5 + c]!; s6 += x * B[q6 + c]!; s7 += x * B[q7 + c]!;
      }
      const o = row + j;
      S[o] = s0; S[o + 1] = s1; S[o + 2] = s2; S[o + 3] = s3; S[o + 4] = s4; S[o + 5] = s5; S[o + 6] = s6; S[o + 7] = s7;
    }
    for (let j = nb8; j < nb; j++) {
      const q = (b0 + j) * d;
      let s = 0;
      for (let u = u0; u < u1; u++) s += vals[u]! * B[q + cols[u]!]!;
      S[row + j] = s;
    }
  }
}

/**
 * Below this fraction of non-zero query features (per block of queries) the
 * sparse kernel is used. Measured (CPU seconds per core for 60000 × 10000):
 * the two break even near 0.75 for d = 64, 192 and 784 (e.g. d = 192 at
 * density 0.5: dense 39 s, sparse 26 s; at 0.7: 40 s and 38 s). Raw MNIST
 * pixels are 18% non-zero, Fashion-MNIST 50%, ReLU features about half.
 */
export const SPARSE_DENSITY = 0.7;

/** Sizes and buffers of one neighbour search. */
export interface SearchProblem {
  /** Normalised training features, nTrain×d. */
  readonly train: Float32Array;
  readonly nTrain: number;
  /** Normalised query features, nTest×d. */
  readonly test: Float32Array;
  readonly d: number;
  readonly k: number;
  /** nTest×k similarities of the neighbours, best first (written for the searched queries). */
  readonly outSim: Float64Array;
  /** nTest×k training indices of the neighbours, aligned with outSim. */
  readonly outIdx: Int32Array;
}

/** Reusable buffers for searchQueries with blocks of up to `batchSize` queries. */
export interface SearchScratch {
  readonly S: Float64Array;
  readonly starts: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

export function searchScratch(batchSize: number, d: number): SearchScratch {
  return {
    S: new Float64Array(batchSize * Math.max(trainTileRows(d), trainTileRows(d, true))),
    starts: new Int32Array(batchSize + 1),
    cols: new Int32Array(batchSize * d),
    vals: new Float64Array(batchSize * d),
  };
}

/** Find the k nearest training rows of queries [q0, q1) (at most the scratch's batch size). */
export function searchQueries(p: SearchProblem, q0: number, q1: number, scratch: SearchScratch = searchScratch(q1 - q0, p.d)): void {
  const { train, nTrain, test, d, k, outSim, outIdx } = p;
  const nq = q1 - q0;
  if (nq <= 0) return;
  const { S, starts, cols, vals } = scratch;
  if (S.length < nq * Math.max(trainTileRows(d), trainTileRows(d, true)) || starts.length < nq + 1) throw new RangeError(`searchQueries: scratch for ${starts.length - 1} queries, asked for ${nq}`);
  // The block's non-zero features, as CSR rows.
  let nnz = 0;
  for (let i = 0; i < nq; i++) {
    starts[i] = nnz;
    const o = (q0 + i) * d;
    for (let c = 0; c < d; c++) {
      const v = test[o + c]!;
      if (v !== 0) {
        cols[nnz] = c;
        vals[nnz++] = v;
      }
    }
  }
  starts[nq] = nnz;
  const sparse = nnz < SPARSE_DENSITY * nq * d;
  const tile = trainTileRows(d, sparse);
  outSim.fill(-Infinity, q0 * k, q1 * k);
  outIdx.fill(-1, q0 * k, q1 * k);
  const last = k - 1;
  for (let t0 = 0; t0 < nTrain; t0 += tile) {
    const nb = Math.min(tile, nTrain - t0);
    if (sparse) similarityBlockSparse(starts, cols, vals, nq, train, t0, nb, d, S);
    else similarityBlock(test, q0, nq, train, t0, nb, d, S);
    for (let i = 0; i < nq; i++) {
      const base = (q0 + i) * k;
      const row = i * nb;
      let threshold = outSim[base + last]!;
      for (let j = 0; j < nb; j++) {
        const s = S[row + j]!;
        if (s > threshold) {
          let pos = last;
          while (pos > 0 && outSim[base + pos - 1]! < s) {
            outSim[base + pos] = outSim[base + pos - 1]!;
            outIdx[base + pos] = outIdx[base + pos - 1]!;
            pos--;
          }
          outSim[base + pos] = s;
          outIdx[base + pos] = t0 + j;
          threshold = outSim[base + last]!;
        }
      }
    }
  }
}
