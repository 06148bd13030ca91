import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkFile, loadGolden } from '../../src/testing/conformance/runner.js';
import { compare } from '../../src/testing/conformance/compare.js';
import { goldenData } from '../../src/io/golden.js';
import { deepclusterKmeans } from '../../src/testing/conformance/components/deepcluster-kmeans.js';
import { assignNearest, kmeans, kmeansInit, kmeansStep, lloyd, splitEmptyClusters, withinClusterSS } from '../../src/ssl/kmeans.js';
import { arrangeClustering } from '../../src/ssl/uniform-sampler.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

const golden = 'test/fixtures/golden/deepcluster_kmeans.json';

function points(seed: number, n: number, d: number): NDArray<readonly ['N', 'D']> {
  return { axes: ['N', 'D'], sizes: [n, d], data: normal(key(seed), n * d) };
}

function rows(x: NDArray, idx: readonly number[]): NDArray<readonly ['K', 'D']> {
  const d = x.sizes[1]!;
  const data = new Float64Array(idx.length * d);
  idx.forEach((r, j) => data.set(x.data.subarray(r * d, (r + 1) * d), j * d));
  return { axes: ['K', 'D'], sizes: [idx.length, d], data };
}

describe('ssl/kmeans', () => {
  it('reproduces deepcluster_kmeans.json (every iteration, final lists; faiss/* at the float32 tolerance)', () => {
    const report = checkFile(golden, { components: { deepcluster_kmeans: deepclusterKmeans } });
    assert.equal(report.error, undefined, report.error);
    const file = loadGolden(golden);
    const result = deepclusterKmeans.evaluate(file, 'reference');
    assert.equal(report.lines.length, 3 * Number(file.config['niter']) + 7, 'three lines per iteration and seven final ones');
    for (const line of report.lines) {
      if (line.status === 'pass') continue;
      // The runner has one tolerance per component; faiss' float32 objective (stored as float64)
      // is checked here at the float32 tolerance the component declares for it.
      const expected = file[line.section][line.key]!;
      const tol = deepclusterKmeans.toleranceFor(line.section, line.key, expected);
      assert.ok(tol !== undefined, `${line.section}.${line.key}: ${line.status} (max abs ${line.maxAbs})`);
      const c = compare(result[line.section][line.key] as ArrayLike<number>, goldenData(expected), tol);
      assert.ok(c.ok, `${line.section}.${line.key}: max abs ${c.maxAbs} at the float32 tolerance`);
    }
    const float64 = report.lines.filter((l) => !l.key.startsWith('faiss/'));
    assert.ok(float64.every((l) => l.status === 'pass' && l.maxAbs <= 1e-12), 'float64 outputs match to 1e-12');
  });

  it('assigns ties to the lowest centroid and counts the objective before the update', () => {
    const x: NDArray = { axes: ['N', 'D'], sizes: [3, 1], data: Float64Array.from([0, 1, 2]) };
    const c: NDArray = { axes: ['K', 'D'], sizes: [2, 1], data: Float64Array.from([0.5, 1.5]) };
    const a = assignNearest(x, c);
    assert.deepEqual(Array.from(a.assign), [0, 0, 1]);
    const step = kmeansStep(x, c);
    assert.equal(step.objective, 0.25 * 3);
    assert.deepEqual(Array.from(step.centroids.data), [0.5, 2]);
    assert.equal(step.splits, 0);
  });

  it('a Lloyd step never increases the within-cluster sum of squares', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 25 }), (seed, k, d, extra) => {
        const x = points(seed, k + 1 + extra, d);
        let c = rows(x, Array.from({ length: k }, (_, i) => i));
        for (let it = 0; it < 6; it++) {
          const step = kmeansStep(x, c);
          const before = withinClusterSS(x, c, step.assign);
          assert.ok(Math.abs(before - step.objective) <= 1e-12 * (1 + before));
          if (step.splits === 0) {
            const afterUpdate = withinClusterSS(x, step.centroids, step.assign);
            const reassigned = assignNearest(x, step.centroids).objective;
            assert.ok(afterUpdate <= before * (1 + 1e-12) + 1e-12, `update: ${afterUpdate} > ${before}`);
            assert.ok(reassigned <= afterUpdate * (1 + 1e-12) + 1e-12, `reassignment: ${reassigned} > ${afterUpdate}`);
          }
          c = step.centroids;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('re-seeds an empty cluster as faiss does: a perturbed copy of a cluster that can be split', () => {
    // Two tight groups and a centroid far away: cluster 2 is empty after the first assignment.
    const x: NDArray = { axes: ['N', 'D'], sizes: [6, 2], data: Float64Array.from([0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1]) };
    const init: NDArray = { axes: ['K', 'D'], sizes: [3, 2], data: Float64Array.from([0, 0, 5, 5, 100, -100]) };
    const step = kmeansStep(x, init);
    assert.equal(step.splits, 1);
    const c = step.centroids.data;
    const eps = 1 / 1024;
    // The split cluster cj and the re-seeded one (2) are symmetric perturbations of the old centroid.
    const cj = [0, 1].find((j) => Math.abs(c[4]! / (1 + eps) - c[2 * j]! / (1 - eps)) < 1e-12)!;
    assert.ok(cj !== undefined, `centroid 2 (${c[4]}, ${c[5]}) copies neither cluster`);
    assert.ok(Math.abs(c[5]! / (1 - eps) - c[2 * cj + 1]! / (1 + eps)) < 1e-12);
    assert.deepEqual(kmeansStep(x, init).centroids.data, step.centroids.data, 'deterministic');
    const run = lloyd(x, init, { niter: 5 });
    assert.equal(run.iterations[0]!.splits, 1);
    assert.ok(run.imagesLists.every((l) => l.length > 0) || run.iterations.some((s) => s.splits > 0));
  });

  it('splitEmptyClusters leaves non-empty clusters alone and halves the counts of the one it splits', () => {
    const same = splitEmptyClusters(Float64Array.from([1, 2]), Float64Array.from([3, 3]), 2, 1, 6);
    assert.equal(same.splits, 0);
    const s = splitEmptyClusters(Float64Array.from([0, 2, 4]), Float64Array.from([0, 9, 1]), 3, 1, 10);
    assert.equal(s.splits, 1);
    assert.equal(s.counts[0]! + s.counts[1]! + s.counts[2]!, 10);
    assert.ok(s.counts[0]! > 0);
  });

  it('keyed init picks k distinct points; the same key gives the same clustering', () => {
    const x = points(3, 30, 3);
    const a = kmeansInit(key(1), x, 5);
    assert.equal(new Set(a.indexes).size, 5);
    const r1 = kmeans(key(2), x, { k: 4, niter: 10 });
    const r2 = kmeans(key(2), x, { k: 4, niter: 10 });
    assert.deepEqual(r1.assign, r2.assign);
    assert.deepEqual(Array.from(arrangeClustering(r1.imagesLists)), Array.from(r1.assign));
    const best = kmeans(key(2), x, { k: 4, niter: 10, restarts: 3 });
    assert.ok(Number.isFinite(best.objective));
  });

  it('rejects fewer points than clusters', () => {
    const x = points(0, 2, 2);
    assert.throws(() => lloyd(x, rows(points(1, 3, 2), [0, 1, 2]), { niter: 1 }), /at least as many points/);
  });
});
