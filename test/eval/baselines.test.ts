import { strict as assert } from 'node:assert';
import { compareWithBaselines, evaluateExtractor, extractFeatures, rawPixelBaseline, type FeatureFn } from '../../src/eval/baselines.js';
import { formatResults } from '../../src/eval/report.js';
import { key, uniform } from '../../src/runtime/prng.js';

/** 4×4 "images": class 0 lights the left half, class 1 the right half, plus noise. */
function images(seed: number, n: number) {
  const noise = uniform(key(seed), n * 16);
  const labels = Uint8Array.from(uniform(key(seed + 1), n), (u) => Math.floor(u * 2));
  const imgs = new Float32Array(n * 16);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 16; p++) {
      const left = p % 4 < 2;
      imgs[i * 16 + p] = 0.3 * noise[i * 16 + p]! + ((labels[i] === 0) === left ? 0.7 : 0);
    }
  }
  return { images: imgs, labels };
}

/** Features: the mean of the left and right halves (a tiny "model"); records the batch sizes it saw. */
function halves(seen: number[]): FeatureFn {
  return (x, n) => {
    seen.push(n);
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) out[i * 2 + (p % 4 < 2 ? 0 : 1)]! += x[i * 16 + p]! / 8;
    return out;
  };
}

describe('eval/baselines', () => {
  const train = images(1, 300);
  const test = images(2, 70);

  it('extracts features in fixed-size batches, padding the last and keeping the order', async () => {
    const seen: number[] = [];
    const { features, dim } = await extractFeatures(halves(seen), test.images, 70, { batchSize: 32 });
    assert.deepEqual(seen, [32, 32, 32]);
    assert.equal(dim, 2);
    const direct = halves([])(test.images, 70) as Float32Array;
    assert.deepEqual(Array.from(features), Array.from(direct));
    const unpadded: number[] = [];
    await extractFeatures(async (x, n) => halves(unpadded)(x, n), test.images, 70, { batchSize: 32, padLastBatch: false });
    assert.deepEqual(unpadded, [32, 32, 6]);
  });

  it('reports bad extractors clearly', async () => {
    await assert.rejects(extractFeatures((_x, n) => new Float32Array(n * 3 + 1), test.images, 70), /returned 769 values for 256 images/);
    await assert.rejects(extractFeatures(() => [1, 2] as unknown as Float32Array, test.images, 70), /not a Float32Array/);
  });

  it('raw pixels, random initialisation and the method on the same split, as table rows', async () => {
    const raw = await rawPixelBaseline(train, test, { knn: { k: 5 } });
    assert.equal(raw.name, 'raw pixels');
    assert.equal(raw.dim, 16);
    assert.ok(raw.knn!.top1 > 90);
    const random: FeatureFn = (_x, n) => Float32Array.from(uniform(key(n), n * 2));
    const rows = await compareWithBaselines({
      train,
      test,
      method: { name: 'halves', features: halves([]) },
      randomInit: random,
      knn: { k: 5 },
      linear: { key: key(0), epochs: 3, batchSize: 50 },
    });
    assert.deepEqual(rows.map((r) => r.name), ['raw pixels', 'random initialisation', 'halves']);
    assert.equal(rows[2]!.knn!.top1, 100);
    assert.ok(rows[2]!.linearTop1! > 95);
    assert.ok(rows[1]!.knn!.top1 < 80, `random features ${rows[1]!.knn!.top1}`);
    assert.ok(rows.every((r) => r.knnResult && r.linearResult && r.seconds! >= 0));
    assert.match(formatResults(rows), /^features +k-NN top-1/);
    const only = await evaluateExtractor('halves', halves([]), train, test, { knn: false, linear: { key: key(1), epochs: 2 } });
    assert.equal(only.knn, undefined);
    assert.ok(only.linearTop1! > 90);
  });
});
