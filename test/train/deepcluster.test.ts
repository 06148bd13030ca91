import { strict as assert } from 'node:assert';
import { loadMnist } from '../../src/data/mnist.js';
import { subset } from '../../src/data/dataset.js';
import { deepClusterTrainer } from '../../src/train/deepcluster.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';

describe('train/deepcluster', function () {
  this.timeout(120_000);
  const train = subset(loadMnist('train'), Array.from({ length: 400 }, (_, i) => i));
  const options = { model: 'resmlp-tiny' as const, clusterImages: 64, batchSize: 16, clusters: 6, plannedSteps: 12 };

  it('reclusters at every epoch boundary, samples only clustered images, and its losses are finite', async () => {
    const t = deepClusterTrainer(train, options);
    try {
      assert.equal(t.epochSteps, 4);
      let s = t.initState();
      const nmi: number[] = [];
      const losses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const r = await t.step(s, new Float32Array(0));
        if (r.extra?.nmiLabels !== undefined) nmi.push(r.extra.nmiLabels);
        losses.push(r.loss);
        s = r.state;
        for (const p of s.samples.data) assert.ok(Number.isInteger(p) && p >= 0 && p < 64, `sample position ${p}`);
        for (const l of s.pseudoLabels.data) assert.ok(Number.isInteger(l) && l >= 0 && l < 6, `pseudo-label ${l}`);
      }
      assert.equal(nmi.length, 3, 'clustered at steps 0, 4 and 8');
      assert.ok(nmi.every((v) => v >= 0 && v <= 1));
      assert.ok(losses.every(Number.isFinite));
      assert.equal(s.step, 9);
    } finally {
      t.destroy();
    }
  });

  it('restoring a mid-epoch state continues exactly as the uninterrupted run', async () => {
    const t = deepClusterTrainer(train, options);
    try {
      let s = t.initState();
      for (let i = 0; i < 6; i++) s = (await t.step(s, new Float32Array(0))).state;
      const saved = flattenToTensors(t.saved(s));
      const restored = t.restore(saved, s.step, s.key);
      let a = s;
      let b = restored;
      for (let i = 0; i < 3; i++) {
        const ra = await t.step(a, new Float32Array(0));
        const rb = await t.step(b, new Float32Array(0));
        assert.equal(rb.loss, ra.loss, `step ${a.step}`);
        a = ra.state;
        b = rb.state;
      }
    } finally {
      t.destroy();
    }
  });

  it('names a subset too small for its clusters or batch', () => {
    assert.throws(() => deepClusterTrainer(train, { ...options, clusterImages: 10 }), /10 images to cluster is fewer than the 6 clusters or the batch of 16/);
  });
});
