import { strict as assert } from 'node:assert';
import { swavTrainer, swavTrainCrops } from '../../src/train/swav.js';

describe('train/swav', function () {
  this.timeout(300000);

  it('mild crops keep the recipe but take DINO\'s scales; the official ones are swavCrops', () => {
    const mild = swavTrainCrops('mild', 2);
    assert.deepEqual(mild.global.map((v) => v.scale), [[0.4, 1], [0.4, 1]]);
    assert.deepEqual(mild.local.map((v) => v.scale), [[0.05, 0.4], [0.05, 0.4]]);
    assert.equal(mild.global[0]!.jitter?.brightness, 0.8);
    assert.deepEqual(swavTrainCrops('swav', 0).global[0]!.scale, [0.14, 1]);
  });

  it('keeps the prototypes unit rows, frozen for the first steps and learning afterwards', async () => {
    const t = swavTrainer({ model: 'resmlp-tiny', batchSize: 8, localViews: 0, prototypes: 6, hiddenDim: 16, embedDim: 8, freezePrototypesSteps: 2, warmupSteps: 1, backend: 'cpu' });
    try {
      const images = Float32Array.from({ length: 8 * 784 }, (_, i) => ((i * 7919) % 255) / 255);
      let s = t.initState();
      const w0 = Float64Array.from((s.params.prototypes as unknown as { data: Float64Array }).data);
      const rowNorms = (w: Float64Array) => Array.from({ length: 6 }, (_, k) => Math.hypot(...w.subarray(k * 8, k * 8 + 8)));
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await t.step(s, images);
        losses.push(r.loss);
        s = r.state;
        const w = (s.params.prototypes as unknown as { data: Float64Array }).data;
        rowNorms(w).forEach((n) => assert.ok(Math.abs(n - 1) < 1e-5, `row norm ${n}`));
        const moved = Math.max(...w.map((v, j) => Math.abs(v - w0[j]!)));
        if (i < 2) assert.ok(moved < 1e-5, `frozen at step ${i + 1}, moved ${moved}`);
        else assert.ok(moved > 1e-4, `learning at step ${i + 1}, moved ${moved}`);
      }
      losses.forEach((l) => assert.ok(Number.isFinite(l)));
    } finally {
      t.destroy();
    }
  });
});
