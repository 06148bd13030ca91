import { strict as assert } from 'node:assert';
import { knnClassify, knnClassifySync, knnNeighbours, l2NormalizeRows, type FeatureSet } from '../../src/eval/knn.js';
import { normal, key, uniform } from '../../src/runtime/prng.js';

const set = (rows: number[][], labels: number[]): FeatureSet => ({ features: Float32Array.from(rows.flat()), labels: Uint8Array.from(labels) });

/**
 * The O(n²) definition, written independently: normalise (x / max(‖x‖, 1e-12),
 * rounded to float32), every similarity as an in-order float64 sum, a stable
 * sort of all training images by similarity, the k best vote exp(sim / T), the
 * classes ranked by vote with ties to the lower class.
 */
function naiveKnn(train: FeatureSet, test: FeatureSet, k: number, T: number, numClasses: number) {
  const d = train.features.length / train.labels.length;
  const norm = (x: ArrayLike<number>) => {
    const out: number[] = [];
    for (let i = 0; i < x.length / d; i++) {
      const row = Array.from({ length: d }, (_, c) => x[i * d + c]!);
      const n = Math.max(Math.sqrt(row.reduce((s, v) => s + v * v, 0)), 1e-12);
      out.push(...row.map((v) => Math.fround(v / n)));
    }
    return out;
  };
  const a = norm(train.features);
  const b = norm(test.features);
  const predictions: number[] = [];
  const neighbours: number[][] = [];
  const sims: number[][] = [];
  let top1 = 0;
  let top5 = 0;
  for (let q = 0; q < test.labels.length; q++) {
    const all = Array.from({ length: train.labels.length }, (_, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += b[q * d + c]! * a[j * d + c]!;
      return { j, s };
    });
    all.sort((x, y) => y.s - x.s || x.j - y.j);
    const best = all.slice(0, k);
    neighbours.push(best.map((x) => x.j));
    sims.push(best.map((x) => x.s));
    const votes = new Array<number>(numClasses).fill(0);
    for (const { j, s } of best) votes[train.labels[j]!]! += Math.exp(s / T);
    const ranked = votes.map((v, c) => ({ v, c })).sort((x, y) => y.v - x.v || x.c - y.c).map((x) => x.c);
    predictions.push(ranked[0]!);
    const r = ranked.indexOf(test.labels[q]!);
    if (r === 0) top1++;
    if (r < Math.min(5, k)) top5++;
  }
  const n = test.labels.length;
  return { predictions, neighbours, sims, top1: (100 * top1) / n, top5: (100 * top5) / n };
}

function randomSet(seed: number, n: number, d: number, classes: number, zeros = 0): FeatureSet {
  const x = normal(key(seed), n * d);
  if (zeros > 0) {
    const u = uniform(key(seed + 1000), n * d);
    for (let i = 0; i < x.length; i++) if (u[i]! < zeros) x[i] = 0;
  }
  const labels = Uint8Array.from(uniform(key(seed + 2000), n), (v) => Math.floor(v * classes));
  return { features: Float32Array.from(x), labels };
}

function assertSameAsNaive(train: FeatureSet, test: FeatureSet, k: number, T: number, classes: number, got: ReturnType<typeof knnClassifySync>) {
  const want = naiveKnn(train, test, k, T, classes);
  assert.deepEqual(Array.from(got.predictions), want.predictions);
  assert.equal(got.top1, want.top1);
  assert.equal(got.top5, want.top5);
}

describe('eval/knn: DINO weighted k-NN', () => {
  it('classifies obvious clusters and reports per-class accuracy (NaN where a class has no test image)', () => {
    const train = set([[1, 0.1], [1, -0.1], [0.9, 0], [0, 1], [0.1, 1], [-0.1, 1]], [0, 0, 0, 1, 1, 1]);
    const test = set([[1, 0.05], [0.05, 1], [2, 0.3]], [0, 1, 0]);
    const r = knnClassifySync(train, test, { k: 3, numClasses: 3 });
    assert.equal(r.top1, 100);
    assert.equal(r.top5, 100);
    assert.deepEqual(Array.from(r.predictions), [0, 1, 0]);
    assert.deepEqual(r.perClass.slice(0, 2), [100, 100]);
    assert.ok(Number.isNaN(r.perClass[2]));
    assert.equal(r.total, 3);
    assert.equal(r.dim, 2);
  });

  it('is scale invariant (cosine similarity on L2-normalised features)', () => {
    const train = set([[1, 0], [0, 1]], [0, 1]);
    const r = knnClassifySync(train, set([[100, 1], [0.001, 0.01]], [0, 1]), { k: 1 });
    assert.equal(r.top1, 100);
  });

  it('weights by exp(sim / T): at T = 0.07 one closer neighbour outweighs three farther ones, at T = 1 it does not', () => {
    const s = Math.sqrt(1 - 0.9 * 0.9);
    const close = [0.99, Math.sqrt(1 - 0.99 * 0.99), 0];
    const train = set([close, [0.9, s, 0], [0.9, -s, 0], [0.9, 0, s], [-1, 0, 0]], [0, 1, 1, 1, 0]);
    const test = set([[1, 0, 0]], [0]);
    // exp(0.99/0.07) = 1.39e6 > 3·exp(0.9/0.07) = 1.15e6; exp(0.99) = 2.69 < 3·exp(0.9) = 7.38.
    assert.deepEqual(Array.from(knnClassifySync(train, test, { k: 4 }).predictions), [0]);
    assert.deepEqual(Array.from(knnClassifySync(train, test, { k: 4, temperature: 1 }).predictions), [1]);
    const n = knnNeighbours(train, test, { k: 4 });
    assert.equal(n.indices[0], 0);
    assert.ok(Math.abs(n.similarities[0]! - 0.99) < 1e-6);
  });

  it('breaks ties: equal similarities to the lower training index, equal votes to the lower class', () => {
    const v = [1, 2, 3];
    const w = [3, 2, 1];
    // Neighbours of v with k = 2: index 0 and index 2 (equal similarity 1); index 1 is farther.
    const train = set([v, w, v, v], [2, 0, 1, 3]);
    const test = set([v], [1]);
    const nb = knnNeighbours(train, test, { k: 2 });
    assert.deepEqual(Array.from(nb.indices), [0, 2]);
    // Votes: class 2 and class 1 equal; the lower class (1) is the prediction.
    const r = knnClassifySync(train, test, { k: 2 });
    assert.deepEqual(Array.from(r.predictions), [1]);
    assert.equal(r.top1, 100);
    // k = 1: only index 0 (label 2) among the three equal ones.
    assert.deepEqual(Array.from(knnClassifySync(train, test, { k: 1 }).predictions), [2]);
  });

  it('top-5 counts the best min(5, k) classes', () => {
    const train = set([[1, 0], [0.9, 0.1], [0, 1]], [0, 1, 2]);
    const test = set([[1, 0]], [1]);
    const k1 = knnClassifySync(train, test, { k: 1 });
    assert.equal(k1.top1, 0);
    assert.equal(k1.top5, 0); // k = 1: only the best class counts
    const k2 = knnClassifySync(train, test, { k: 2 });
    assert.equal(k2.top5, 100);
  });

  it('gives exactly the predictions of a naive O(n²) implementation on random dense data', () => {
    const train = randomSet(1, 700, 13, 7);
    const test = randomSet(2, 150, 13, 7);
    for (const [k, T] of [[20, 0.07], [5, 0.5], [1, 0.07]] as const) {
      assertSameAsNaive(train, test, k, T, 7, knnClassifySync(train, test, { k, temperature: T, batchSize: 37 }));
    }
    const want = naiveKnn(train, test, 20, 0.07, 7);
    const got = knnNeighbours(train, test, { k: 20 });
    assert.deepEqual(Array.from(got.indices), want.neighbours.flat());
    assert.deepEqual(Array.from(got.similarities), want.sims.flat());
  });

  it('gives exactly the naive predictions on sparse data (the sparse kernel) and with duplicated training rows', () => {
    const base = randomSet(3, 600, 40, 5, 0.8);
    // Duplicate 60 rows with other labels: exact similarity ties between different classes.
    const d = 40;
    const features = new Float32Array((600 + 60) * d);
    features.set(base.features);
    const labels = new Uint8Array(660);
    labels.set(base.labels);
    for (let i = 0; i < 60; i++) {
      features.set(base.features.subarray(i * 7 * d, (i * 7 + 1) * d), (600 + i) * d);
      labels[600 + i] = (base.labels[i * 7]! + 1) % 5;
    }
    const train = { features, labels };
    const test = randomSet(4, 90, 40, 5, 0.8);
    // Queries that equal training rows, so duplicated rows tie at the top.
    test.features.set(base.features.subarray(0, 10 * d));
    assertSameAsNaive(train, test, 20, 0.07, 5, knnClassifySync(train, test));
    assertSameAsNaive(train, test, 3, 0.07, 5, knnClassifySync(train, test, { k: 3, batchSize: 5 }));
    const want = naiveKnn(train, test, 20, 0.07, 5);
    const got = knnNeighbours(train, test, { k: 20 });
    assert.deepEqual(Array.from(got.indices), want.neighbours.flat());
    assert.deepEqual(Array.from(got.similarities), want.sims.flat());
  });

  it('worker threads give the same result as the calling thread', async function () {
    this.timeout(60000);
    const train = randomSet(5, 4096, 32, 10, 0.3);
    const test = randomSet(6, 512, 32, 10, 0.3);
    const sync = knnClassifySync(train, test);
    const par = await knnClassify(train, test, { threads: 2 });
    assert.equal(par.threads, 2);
    assert.deepEqual(Array.from(par.predictions), Array.from(sync.predictions));
    assert.equal(par.top1, sync.top1);
    assert.equal(par.top5, sync.top5);
    const small = await knnClassify(randomSet(7, 50, 4, 3), randomSet(8, 10, 4, 3), { threads: 2, k: 5 });
    assert.equal(small.threads, 1); // too small to be worth workers
  });

  it('accepts Float64Array features and normalises like torch (zero rows stay zero)', () => {
    const out = l2NormalizeRows(Float64Array.from([3, 4, 0, 0]), 2);
    assert.deepEqual(Array.from(out), [0.6000000238418579, 0.800000011920929, 0, 0]);
    const r = knnClassifySync({ features: Float64Array.from([1, 0, 0, 1]), labels: Uint8Array.from([0, 1]) }, { features: Float64Array.from([0.2, 1]), labels: Uint8Array.from([1]) }, { k: 1 });
    assert.equal(r.top1, 100);
  });

  it('rejects malformed input with clear messages', () => {
    const train = set([[1, 0], [0, 1]], [0, 1]);
    assert.throws(() => knnClassifySync(train, set([[1, 0, 0]], [0]), { k: 1 }), /dimension 2, test features 3/);
    assert.throws(() => knnClassifySync(train, set([[1, 0]], [0]), { k: 3 }), /k = 3 neighbours, but only 2 training images/);
    assert.throws(() => knnClassifySync(train, set([[1, 0]], [4]), { k: 1, numClasses: 3 }), /label 4 is not below numClasses = 3/);
    assert.throws(() => knnClassifySync(train, set([[NaN, 0]], [0]), { k: 1 }), /test row 0 holds NaN at index 0/);
    assert.throws(() => knnClassifySync({ features: new Float32Array(5), labels: new Uint8Array(2) }, train), /5 train feature values do not split into 2 rows/);
    assert.throws(() => knnClassifySync(train, train, { k: 1, temperature: 0 }), /temperature must be a positive number/);
  });
});
