import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { deepclusterPreprocess } from '../../src/testing/conformance/components/deepcluster-preprocess.js';
import { applyPca, fitPca, gram, pcaWhiten, symmetricEigen, withColumnSigns } from '../../src/ssl/pca-whiten.js';
import { key, normal, uniform } from '../../src/runtime/prng.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

function matrix(seed: number, n: number, d: number): NDArray<readonly ['N', 'D']> {
  // Correlated features with different scales, so the eigenvalues are distinct and well spread.
  const z = normal(key(seed), n * d);
  const mix = uniform(key(seed + 1), d * d, -1, 1);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += z[i * d + t]! * mix[t * d + j]! * (t + 1);
    data[i * d + j] = s + j;
  }
  return { axes: ['N', 'D'], sizes: [n, d], data };
}

function symmetric(seed: number, n: number): Float64Array {
  const r = normal(key(seed), n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j]! + r[j * n + i]!;
  return a;
}

function checkEigen(a: Float64Array, n: number, tol = 1e-10): void {
  const { values, vectors } = symmetricEigen(a, n);
  const scale = Math.max(1, ...Array.from(a, Math.abs));
  for (let j = 0; j < n; j++) {
    if (j > 0) assert.ok(values[j - 1]! >= values[j]!, 'descending');
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let t = 0; t < n; t++) av += a[i * n + t]! * vectors[j * n + t]!;
      assert.ok(Math.abs(av - values[j]! * vectors[j * n + i]!) <= tol * scale * n, `A v = λ v (n=${n}, j=${j})`);
    }
    for (let k = 0; k < n; k++) {
      let dot = 0;
      for (let t = 0; t < n; t++) dot += vectors[j * n + t]! * vectors[k * n + t]!;
      assert.ok(Math.abs(dot - (j === k ? 1 : 0)) <= tol * n, 'orthonormal');
    }
    let big = 0;
    for (let t = 1; t < n; t++) if (Math.abs(vectors[j * n + t]!) > Math.abs(vectors[j * n + big]!)) big = t;
    assert.ok(vectors[j * n + big]! > 0, 'largest |component| is positive');
  }
}


/** The covariance of rank-deficient data in which every other coordinate is constant (like MNIST's border pixels). */
function covarianceWithConstantCoordinates(seed: number, samples: number, d: number): Float64Array {
  const z = normal(key(seed), samples * d);
  const x = (i: number, c: number) => (c % 2 === 0 ? 0 : z[i * d + c]! * (1 + (c % 7)));
  const a = new Float64Array(d * d);
  for (let i = 0; i < samples; i++) for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) a[r * d + c] = a[r * d + c]! + (x(i, r) * x(i, c)) / samples;
  return a;
}

describe('ssl/pca-whiten', () => {
  it('converges on a covariance with a large block of zero eigenvalues (constant coordinates, fewer samples than dimensions)', () => {
    checkEigen(covarianceWithConstantCoordinates(3, 40, 160), 160, 1e-9);
  });

  it('reproduces deepcluster_preprocess.json (numpy_f64, Gram matrix, faiss/xb with its recorded column signs)', () => {
    const report = checkFile('test/fixtures/golden/deepcluster_preprocess.json', { components: { deepcluster_preprocess: deepclusterPreprocess } });
    assert.equal(report.error, undefined, report.error);
    assert.deepEqual(
      report.lines.filter((l) => l.status !== 'pass').map((l) => `${l.key}: ${l.status} ${l.maxAbs}`),
      [],
    );
    assert.ok(report.lines.some((l) => l.key === 'faiss/xb'));
    assert.ok(report.lines.filter((l) => l.key.startsWith('numpy_f64/') || l.key === 'gram_xb_xbT').every((l) => l.maxAbs <= 1e-12));
  });

  it('symmetric eigendecomposition: A v = λ v, orthonormal, sorted, signed', () => {
    for (const n of [1, 2, 3, 5, 8, 17]) checkEigen(symmetric(n, n), n);
    // Repeated and zero eigenvalues, already-diagonal and already-tridiagonal inputs.
    checkEigen(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3);
    checkEigen(new Float64Array(16), 4);
    checkEigen(new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);
    checkEigen(new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 3]), 3);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 9 }), (seed, n) => checkEigen(symmetric(seed, n), n)), { numRuns: 40 });
  });

  it('whitened features have identity scatter before L2 and unit norm after', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 6 }), (seed, dim, extra, dims0) => {
        const n = dim + 2 + extra;
        const dims = Math.min(dims0, dim);
        const x = matrix(seed, n, dim);
        const r = pcaWhiten(x, { dims });
        const y = r.whitened.data;
        // Whitening divides by √λ, so round-off grows with the condition number λ₁/λ_dims
        // (a random mix can be nearly singular: seed 431967 has κ = 1.5e9 and an error of 6.5e-8).
        const kappa = r.transform.eigenvalues[0]! / r.transform.eigenvalues[dims - 1]!;
        const tol = 1e-10 + 32 * Number.EPSILON * kappa;
        for (let a = 0; a < dims; a++) {
          for (let b = 0; b < dims; b++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += y[i * dims + a]! * y[i * dims + b]!;
            assert.ok(Math.abs(s - (a === b ? 1 : 0)) < tol, `Σ y yᵀ [${a}, ${b}] = ${s} (κ ${kappa.toExponential(2)}, tolerance ${tol.toExponential(2)})`);
          }
          let m = 0;
          for (let i = 0; i < n; i++) m += y[i * dims + a]!;
          assert.ok(Math.abs(m) < 1e-8, 'centred');
        }
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < dims; j++) s += r.features.data[i * dims + j]! ** 2;
          assert.ok(Math.abs(s - 1) < 1e-12, 'unit rows');
        }
      }),
      { numRuns: 200, examples: [[431967, 6, 0, 6]] },
    );
  });

  it('applies a fitted PCA to new rows; column signs leave the Gram matrix unchanged', () => {
    const x = matrix(4, 30, 5);
    const t = fitPca(x, { dims: 3 });
    const same = applyPca(t, x);
    assert.deepEqual(same.data, pcaWhiten(x, { dims: 3 }).whitened.data);
    const flipped = withColumnSigns(same, [1, -1, -1]);
    const g1 = gram(same);
    const g2 = gram(flipped);
    assert.ok(g1.every((v, i) => Math.abs(v - g2[i]!) < 1e-12));
    assert.throws(() => fitPca(x, { dims: 6 }), /dims must be an integer in \[1, 5\]/);
    assert.throws(() => applyPca(t, matrix(1, 3, 4)), /fitted on 5 features/);
  });

  it('eigenPower 0 is plain PCA (no whitening)', () => {
    const x = matrix(7, 20, 4);
    const r = pcaWhiten(x, { dims: 2, eigenPower: 0 });
    const y = r.whitened.data;
    let s = 0;
    for (let i = 0; i < 20; i++) s += y[i * 2]! ** 2;
    assert.ok(Math.abs(s - r.transform.eigenvalues[0]!) < 1e-9 * s, 'variance along the first axis is λ₁');
  });
});
