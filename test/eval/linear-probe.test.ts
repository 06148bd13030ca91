import { strict as assert } from 'node:assert';
import { linearProbe, standardization } from '../../src/eval/linear-probe.js';
import type { FeatureSet } from '../../src/eval/features.js';
import { key, normal, uniform } from '../../src/runtime/prng.js';

/** Three classes in 8-D: Gaussian blobs around well-separated means (linearly separable up to rare outliers), on a skewed scale. */
function blobs(seed: number, n: number): FeatureSet {
  const d = 8;
  const means = [
    [4, 0, 0, 0, 0, 0, 0, 0],
    [0, 4, 0, 0, 0, 0, 0, 0],
    [0, 0, 4, 0, 0, 0, 0, 0],
  ];
  const noise = normal(key(seed), n * d);
  const labels = Uint8Array.from(uniform(key(seed + 1), n), (u) => Math.floor(u * 3));
  const features = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) features[i * d + c] = 100 + 10 * (c + 1) * (means[labels[i]!]![c]! + 0.5 * noise[i * d + c]!);
  }
  return { features, labels };
}

describe('eval/linear-probe', function () {
  this.timeout(120000);
  const train = blobs(1, 3000);
  const test = blobs(2, 600);

  it('standardises with the population mean and deviation (constant features keep scale 1)', () => {
    const { mean, scale } = standardization([1, 5, 3, 5], 2, 2);
    assert.deepEqual(Array.from(mean), [2, 5]);
    assert.deepEqual(Array.from(scale), [1, 1]);
    const s2 = standardization([0, 2, 4], 3, 1);
    assert.ok(Math.abs(s2.scale[0]! - Math.sqrt(8 / 3)) < 1e-15);
  });

  it('reaches high accuracy on linearly separable data (compiled step, AdamW)', async () => {
    const r = await linearProbe(train, test, { key: key(7), epochs: 5, batchSize: 128 });
    assert.ok(r.top1 >= 99, `top-1 ${r.top1}`);
    assert.equal(r.top5, 100);
    assert.equal(r.backend, 'cpu');
    assert.equal(r.steps, 5 * Math.floor(3000 / 128));
    assert.equal(r.losses.length, 5);
    assert.ok(r.losses[4]! < r.losses[0]!, `losses ${r.losses}`);
    assert.equal(r.weights.length, 8 * 3);
  });

  it('is a pure function of its key; the reference interpreter agrees with the compiled step; SGD works too', async () => {
    const small = { features: train.features.subarray(0, 600 * 8), labels: train.labels.subarray(0, 600) };
    const a = await linearProbe(small, test, { key: key(3), epochs: 2, batchSize: 100 });
    const b = await linearProbe(small, test, { key: key(3), epochs: 2, batchSize: 100 });
    assert.deepEqual(a.losses, b.losses);
    assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
    const ref = await linearProbe(small, test, { key: key(3), epochs: 2, batchSize: 100, backend: 'reference' });
    assert.equal(ref.backend, 'reference');
    ref.losses.forEach((l, i) => assert.ok(Math.abs(l - a.losses[i]!) < 1e-3 * Math.max(1, l), `epoch ${i}: ${l} vs ${a.losses[i]}`));
    const other = await linearProbe(small, test, { key: key(4), epochs: 2, batchSize: 100 });
    assert.notDeepEqual(Array.from(other.weights), Array.from(a.weights));
    const s = await linearProbe(small, test, { key: key(3), epochs: 3, batchSize: 100, optimizer: 'sgd' });
    assert.ok(s.top1 >= 98, `sgd top-1 ${s.top1}`);
  });

  it('rejects bad options', async () => {
    await assert.rejects(linearProbe(train, test, { key: key(0), epochs: 0 }), /epochs must be a positive integer/);
    await assert.rejects(linearProbe(train, { features: new Float32Array(3), labels: new Uint8Array(1) }, { key: key(0) }), /dimension 8, test features 3/);
  });
});
