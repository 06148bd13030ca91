/**
 * DeepCluster's preprocess_features: PCA to d dimensions with whitening, then
 * L2 normalisation of each row — a float64 numerical routine on values,
 * outside the graph (the official code runs faiss' PCAMatrix outside autograd).
 *
 * faiss `PCAMatrix(ndim, d, eigen_power = -0.5)` semantics (README §7.1):
 *   μ = mean of the rows,  S = Σᵢ (xᵢ - μ)(xᵢ - μ)ᵀ   (the scatter, NOT divided by N)
 *   λ₁ ≥ λ₂ ≥ … eigenvalues of S with unit eigenvectors u_j
 *   y_i[j] = (λ_j + ε)^p · u_jᵀ (xᵢ - μ)   (p = eigen_power = -0.5, ε = 0 in faiss 1.7.3)
 *   xb_i = y_i / ‖y_i‖₂
 *
 * Eigenvector signs are not determined by S. Ours are fixed by a convention:
 * each u_j is flipped so that its largest-|component| (the first one on ties)
 * is positive — the convention of the golden file's numpy_f64 outputs.
 * faiss takes LAPACK's signs, which are an artefact of LAPACK's algorithm;
 * results in that convention differ from ours by a sign per output column.
 */
import type { NDArray } from '../runtime/ndarray.js';

/* ------------------------------------------------------------------------ */
/* Symmetric eigendecomposition (Householder tridiagonalisation + implicit QL) */
/* ------------------------------------------------------------------------ */

/** Eigenvalues and eigenvectors of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  readonly values: Float64Array;
  /** Row j (length n) is the unit eigenvector of values[j]; row-major n×n. */
  readonly vectors: Float64Array;
}

/**
 * Reduce the symmetric n×n matrix `a` (row-major, overwritten) to tridiagonal
 * form T = Qᵀ A Q by Householder reflections. Returns the diagonal, the
 * off-diagonal (off[i] = T[i, i+1]) and Q (row-major, columns are the basis).
 */
function tridiagonalize(a: Float64Array, n: number): { diag: Float64Array; off: Float64Array; q: Float64Array } {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // The reflection H = I - β v vᵀ on indices k+1..n-1 maps column k below
    // the diagonal onto its first entry.
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]!));
    if (scale === 0) continue;
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = a[i * n + k]! / scale;
      norm2 += x * x;
    }
    const x0 = a[(k + 1) * n + k]!;
    const alpha = (x0 > 0 ? -1 : 1) * scale * Math.sqrt(norm2);
    let vv = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = a[i * n + k]! - (i === k + 1 ? alpha : 0);
      vv += v[i]! * v[i]!;
    }
    if (vv === 0) continue;
    const beta = 2 / vv;
    // p = β A₂₂ v; then A₂₂ ← A₂₂ - v wᵀ - w vᵀ with w = p - (β vᵀp / 2) v.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j]! * v[j]!;
      p[i] = beta * s;
      vp += v[i]! * p[i]!;
    }
    const half = (beta * vp) / 2;
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - half * v[i]!;
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) a[i * n + j] = a[i * n + j]! - v[i]! * p[j]! - p[i]! * v[j]!;
    }
    a[(k + 1) * n + k] = alpha;
    a[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) {
      a[i * n + k] = 0;
      a[k * n + i] = 0;
    }
    // Q ← Q H.
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += q[r * n + j]! * v[j]!;
      s *= beta;
      if (s !== 0) for (let j = k + 1; j < n; j++) q[r * n + j] = q[r * n + j]! - s * v[j]!;
    }
  }
  const diag = new Float64Array(n);
  const off = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = a[i * n + i]!;
  for (let i = 0; i + 1 < n; i++) off[i] = a[(i + 1) * n + i]!;
  return { diag, off, q };
}

/**
 * Diagonalise the symmetric tridiagonal (d, e) by the implicit QL method with
 * Wilkinson-type shifts, applying every rotation to the columns of z (n×n,
 * row-major). On return d holds the eigenvalues and column j of z the
 * eigenvector of d[j].
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array, n: number): void {
  const maxIterations = 60;
  // Negligible is relative to the neighbouring diagonal or, where that is (nearly) zero, to the
  // largest row seen so far (EISPACK tql2's tst1): a covariance with constant pixels has a block of
  // zero eigenvalues whose off-diagonal round-off would otherwise never count as negligible.
  let scale = 0;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    scale = Math.max(scale, Math.abs(d[l]!) + Math.abs(e[l]!));
    for (;;) {
      // Find the first negligible off-diagonal element at or after l.
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * Math.max(dd, scale)) break;
      }
      if (m === l) break;
      if (++iterations > maxIterations) throw new Error(`symmetricEigen: no convergence for eigenvalue ${l} after ${maxIterations} QL iterations`);
      // Shift from the leading 2×2 block, implicit QL sweep from m up to l.
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the matrix splits here; restart with the new split.
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          const zi = z[k * n + i]!;
          const zi1 = z[k * n + i + 1]!;
          z[k * n + i + 1] = s * zi + c * zi1;
          z[k * n + i] = c * zi - s * zi1;
        }
      }
      if (deflated) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * Eigenvalues (descending) and unit eigenvectors of a symmetric n×n matrix
 * (row-major; only symmetry is assumed, the input is not modified). Float64
 * Householder tridiagonalisation followed by implicit QL. Each eigenvector is
 * signed so that its largest-|component| (the first on ties) is positive.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: ${matrix.length} values for a ${n}×${n} matrix`);
  const a = Float64Array.from(matrix);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j]!;
      const y = a[j * n + i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`symmetricEigen: non-finite entry at (${i}, ${j})`);
      const avg = (x + y) / 2;
      a[i * n + j] = avg;
      a[j * n + i] = avg;
    }
  }
  const { diag, off, q } = tridiagonalize(a, n);
  tridiagonalQl(diag, off, q, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => diag[j]! - diag[i]! || i - j);
  const values = Float64Array.from(order, (i) => diag[i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    let big = 0;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const x = Math.abs(q[k * n + col]!);
      if (x > big) {
        big = x;
        at = k;
      }
    }
    const sign = q[at * n + col]! < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[row * n + k] = sign * q[k * n + col]!;
  });
  return { values, vectors };
}

/* ------------------------------------------------------------------------ */
/* PCA-whitening                                                             */
/* ------------------------------------------------------------------------ */

/** PCA whitening's dimensions, eigenvalue power and ε. */
export interface PcaOptions {
  /** Output dimension d (DeepCluster: 256). */
  readonly dims: number;
  /** Power of the eigenvalues applied to each component (faiss eigen_power; -0.5 whitens). */
  readonly eigenPower?: number;
  /** Added to each eigenvalue before the power (faiss PCAMatrix.epsilon; 0 in faiss 1.7.3 and DeepCluster). */
  readonly epsilon?: number;
}

/** A fitted PCA: apply it to rows with {@link applyPca}. */
export interface PcaTransform {
  readonly inputDims: number;
  readonly dims: number;
  /** μ, length inputDims. */
  readonly mean: Float64Array;
  /** Every eigenvalue of the scatter matrix, descending (length inputDims). */
  readonly eigenvalues: Float64Array;
  /** Rows u_jᵀ, j < dims (dims × inputDims, row-major). */
  readonly components: Float64Array;
  /** (λ_j + ε)^p per output dimension. */
  readonly scales: Float64Array;
}

function rowsOf(x: NDArray, what: string): { n: number; dim: number } {
  if (x.sizes.length !== 2) throw new RangeError(`${what}: expected a matrix [rows, features], got axes [${x.axes.join(', ')}]`);
  return { n: x.sizes[0]!, dim: x.sizes[1]! };
}

/** The mean row and the scatter matrix Σᵢ (xᵢ - μ)(xᵢ - μ)ᵀ of a matrix [N, D]. */
export function scatterMatrix(x: NDArray): { mean: Float64Array; scatter: Float64Array } {
  const { n, dim } = rowsOf(x, 'scatterMatrix');
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] = mean[j]! + x.data[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] = mean[j]! / n;
  const scatter = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) centred[j] = x.data[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) scatter[a * dim + b] = scatter[a * dim + b]! + ca * centred[b]!;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) scatter[a * dim + b] = scatter[b * dim + a]!;
  return { mean, scatter };
}

/** Fit faiss' PCAMatrix(D, dims, eigenPower) on the rows of x [N, D]. */
export function fitPca(x: NDArray, options: PcaOptions): PcaTransform {
  const { n, dim } = rowsOf(x, 'fitPca');
  const dims = options.dims;
  if (!Number.isInteger(dims) || dims < 1 || dims > dim) throw new RangeError(`fitPca: dims must be an integer in [1, ${dim}] (the input has ${dim} features), got ${dims}`);
  if (n < 1) throw new RangeError('fitPca: needs at least one row');
  const power = options.eigenPower ?? -0.5;
  const eps = options.epsilon ?? 0;
  const { mean, scatter } = scatterMatrix(x);
  const eig = symmetricEigen(scatter, dim);
  const components = eig.vectors.slice(0, dims * dim);
  const scales = Float64Array.from({ length: dims }, (_, j) => (power === 0 ? 1 : Math.pow(eig.values[j]! + eps, power)));
  return { inputDims: dim, dims, mean, eigenvalues: eig.values, components, scales };
}

/** y_i[j] = scale_j · u_jᵀ (x_i - μ): the PCA (whitened when eigenPower = -0.5), before L2. */
export function applyPca<A extends string, B extends string>(t: PcaTransform, x: NDArray<readonly [A, B]>): NDArray<readonly [A, B]> {
  const { n, dim } = rowsOf(x, 'applyPca');
  if (dim !== t.inputDims) throw new RangeError(`applyPca: the PCA was fitted on ${t.inputDims} features, the input has ${dim}`);
  const d = t.dims;
  const out = new Float64Array(n * d);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) centred[k] = x.data[i * dim + k]! - t.mean[k]!;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += t.components[j * dim + k]! * centred[k]!;
      out[i * d + j] = t.scales[j]! * s;
    }
  }
  return { axes: x.axes, sizes: [n, d], data: out };
}

/** Each row divided by its L2 norm (numpy's `x / norm(x, axis=1)`: no epsilon, as the official code). */
export function l2NormalizeRows<S extends readonly string[]>(x: NDArray<S>): NDArray<S> {
  const { n, dim } = rowsOf(x, 'l2NormalizeRows');
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x.data[i * dim + k]! ** 2;
    const norm = Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[i * dim + k] = x.data[i * dim + k]! / norm;
  }
  return { axes: x.axes, sizes: [n, dim], data: out };
}

/** The whitened features and the transform. */
export interface PcaWhitenResult<A extends string, B extends string> {
  readonly transform: PcaTransform;
  /** Whitened features before L2 normalisation [N, dims]. */
  readonly whitened: NDArray<readonly [A, B]>;
  /** DeepCluster's xb: whitened rows with unit L2 norm [N, dims]. */
  readonly features: NDArray<readonly [A, B]>;
}

/** DeepCluster's preprocess_features(x, pca = dims): fit, apply and L2-normalise. */
export function pcaWhiten<A extends string, B extends string>(x: NDArray<readonly [A, B]>, options: PcaOptions): PcaWhitenResult<A, B> {
  const transform = fitPca(x, options);
  const whitened = applyPca(transform, x);
  return { transform, whitened, features: l2NormalizeRows(whitened) };
}

/** Flip output columns by the given signs (±1 each): our convention → another (e.g. LAPACK's). */
export function withColumnSigns<S extends readonly string[]>(x: NDArray<S>, signs: readonly number[]): NDArray<S> {
  const { n, dim } = rowsOf(x, 'withColumnSigns');
  if (signs.length !== dim || signs.some((s) => s !== 1 && s !== -1)) throw new RangeError(`withColumnSigns: need ${dim} signs of ±1, got [${signs.join(', ')}]`);
  const out = Float64Array.from(x.data, (v, i) => v * signs[i % dim]!);
  return { axes: x.axes, sizes: [n, dim], data: out };
}

/** x·xᵀ [N, N]: invariant under the sign of each column. */
export function gram(x: NDArray): Float64Array {
  const { n, dim } = rowsOf(x, 'gram');
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x.data[i * dim + k]! * x.data[j * dim + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
