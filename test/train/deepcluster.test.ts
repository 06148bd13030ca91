import { strict as assert } from 'node:assert';
import { loadMnist } from '../../src/data/mnist.js';
import { subset } from '../../src/data/dataset.js';
import { deepClusterTrainer } from '../../src/train/deepcluster.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { mapTree } from '../../src/ir/tree.js';
import { isNd } from '../../src/train/step-parts.js';

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

  it("--optimizer sgd: main.py's SGD, the top layer without momentum (its own optimizer), the rest with it", async () => {
    const t = deepClusterTrainer(train, { ...options, optimizer: 'sgd' });
    try {
      const s1 = (await t.step(t.initState(), new Float32Array(0))).state;
      const momentum = (s: typeof s1) => (s.opt as { momentum: unknown }).momentum;
      // The same state with every momentum buffer changed: only the parameters stepped with momentum move differently.
      const changed = { ...s1, opt: { momentum: mapTree(momentum(s1), isNd, (v) => ({ ...v, data: v.data.map((x) => 5 * x + 1) })) } } as typeof s1;
      const [a, b] = [await t.step(s1, new Float32Array(0)), await t.step(changed, new Float32Array(0))];
      const [pa, pb] = [flattenToTensors(a.state.params), flattenToTensors(b.state.params)];
      assert.ok(Object.keys(pa).some((k) => k.startsWith('top_layer.')));
      // BatchNorm's running statistics are the forward pass's, written over whatever the step did.
      for (const k of Object.keys(pa).filter((name) => !/running_|num_batches_tracked/.test(name))) {
        const same = pa[k]!.data.every((v, i) => v === pb[k]!.data[i]);
        assert.equal(same, k.startsWith('top_layer.'), `${k}: ${same ? 'unmoved by' : 'moved by'} its momentum buffer`);
      }
    } finally {
      t.destroy();
    }
  });

  it('names a subset too small for its clusters or batch', () => {
    assert.throws(() => deepClusterTrainer(train, { ...options, clusterImages: 10 }), /10 images to cluster is fewer than the 6 clusters or the batch of 16/);
  });
});
