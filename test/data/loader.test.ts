import { strict as assert } from 'node:assert';
import { key } from '../../src/runtime/prng.js';
import { firstPerClass, makeDataset, perClassIndices, subset, type Dataset } from '../../src/data/dataset.js';
import { batches, batchesPerEpoch, gatherImages, gatherLabels } from '../../src/data/loader.js';
import { permutation } from '../../src/data/permutation.js';

/** n 2x3 images; image i is filled with i / n; label i % classes. */
function toy(n: number, classes = 3): Dataset {
  return makeDataset({
    name: 'toy',
    split: 'train',
    n,
    height: 2,
    width: 3,
    numClasses: classes,
    images: Float32Array.from({ length: n * 6 }, (_, k) => Math.floor(k / 6) / n),
    labels: Uint8Array.from({ length: n }, (_, i) => i % classes),
  });
}

describe('data/loader', () => {
  it('an epoch covers every index once (dropLast keeps equal batches)', () => {
    const k = key(7);
    const all = [...batches(103, { batchSize: 10, key: k, dropLast: false })];
    assert.equal(all.length, 11);
    assert.equal(all[10]!.length, 3);
    assert.deepEqual(all.flatMap((b) => Array.from(b)).sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
    const kept = [...batches(103, { batchSize: 10, key: k })];
    assert.equal(kept.length, 10);
    assert.equal(batchesPerEpoch(103, 10), 10);
    assert.ok(kept.every((b) => b.length === 10));
    assert.equal(new Set(kept.flatMap((b) => Array.from(b))).size, 100);
    // dropLast only drops the tail of the same permutation
    assert.deepEqual(kept.map((b) => Array.from(b)), all.slice(0, 10).map((b) => Array.from(b)));
  });

  it('is deterministic per key and epoch, and differs across keys and epochs', () => {
    const a = [...batches(50, { batchSize: 50, key: key(1) })][0]!;
    const b = [...batches(50, { batchSize: 50, key: key(1) })][0]!;
    const c = [...batches(50, { batchSize: 50, key: key(2) })][0]!;
    const e1 = [...batches(50, { batchSize: 50, key: key(1), epoch: 1 })][0]!;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notDeepEqual(a, e1);
    assert.notDeepEqual(Array.from(a), Array.from({ length: 50 }, (_, i) => i));
  });

  it('validates its arguments eagerly', () => {
    assert.throws(() => batches(10, { batchSize: 0, key: key(1) }), /batchSize must be a positive integer, got 0/);
    assert.throws(() => batches(-1, { batchSize: 2, key: key(1) }), /n must be a non-negative integer/);
    assert.throws(() => batches(10, { batchSize: 2, key: key(1), epoch: -1 }), /epoch must be an integer/);
  });

  it('permutations look uniform: each position takes each value about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const trials = 2000;
    for (let t = 0; t < trials; t++) permutation(key(t), n).forEach((v, pos) => counts[pos]![v]!++);
    counts.flat().forEach((c) => assert.ok(Math.abs(c - trials / n) < 0.15 * (trials / n), `count ${c}`));
  });

  it('gathers images and labels by index', () => {
    const ds = toy(10);
    const imgs = gatherImages(ds, [3, 0, 3]);
    assert.equal(imgs.length, 18);
    assert.deepEqual(Array.from(imgs.subarray(0, 6)), new Array(6).fill(Math.fround(0.3)));
    assert.deepEqual(Array.from(imgs.subarray(6, 12)), new Array(6).fill(0));
    assert.deepEqual(Array.from(gatherLabels(ds, [3, 0, 5])), [0, 0, 2]);
    assert.throws(() => gatherImages(ds, [10]), /index 10 is outside \[0, 10\) of toy \(train\)/);
  });
});

describe('data/dataset', () => {
  it('subset keeps the order; firstPerClass picks per class, class-major, from a key', () => {
    const ds = toy(30);
    const s = subset(ds, [5, 1]);
    assert.equal(s.n, 2);
    assert.deepEqual(Array.from(s.labels), [2, 1]);
    assert.equal(s.images[0], Math.fround(5 / 30));
    const first = firstPerClass(ds, 2);
    assert.deepEqual(Array.from(first.labels), [0, 0, 1, 1, 2, 2]);
    assert.deepEqual(perClassIndices(ds, 2), [0, 3, 1, 4, 2, 5]);
    const r1 = perClassIndices(ds, 2, key(3));
    assert.deepEqual(r1, perClassIndices(ds, 2, key(3)));
    assert.notDeepEqual(r1, perClassIndices(ds, 2, key(4)));
    r1.forEach((i, k) => assert.equal(ds.labels[i], Math.floor(k / 2)));
    assert.equal(new Set(r1).size, 6);
    assert.throws(() => firstPerClass(ds, 11), /has 10 images of class 0, fewer than the 11 asked for/);
  });

  it('makeDataset checks sizes and labels', () => {
    const ds = toy(4);
    assert.throws(() => makeDataset({ ...ds, n: 5 }), /toy \(train\): 5 images of 2x3 need 30 pixel values, found 24/);
    assert.throws(() => makeDataset({ ...ds, labels: Uint8Array.from([0, 1, 2, 3]) }), /label 3 of image 3 is not in \[0, 3\)/);
  });
});
