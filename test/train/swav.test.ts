import { strict as assert } from 'node:assert';
import { swavTrainer, swavTrainCrops, type SwavTrainState } from '../../src/train/swav.js';
import { swavQueueState } from '../../src/ssl/swav.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

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

  describe('the queue (main_swav.py: queue_length, epoch_queue_starts)', () => {
    // batch 4, a queue of 8 rows (two batches), started at epoch 1 of 2 steps
    const config = { model: 'resmlp-tiny', batchSize: 4, localViews: 0, prototypes: 6, hiddenDim: 16, embedDim: 8, freezePrototypesSteps: 0, warmupSteps: 1, backend: 'cpu', queueLength: 9, epochQueueStarts: 1, stepsPerEpoch: 2 } as const;
    const batch = (step: number) => Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919 + step * 104729) % 255) / 255);
    const nd = (x: NDArray, axes: readonly string[]) => fromArray(x.data, [...axes], x.sizes);
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

    it('is absent before epoch_queue_starts, filled but not read until full, then read; the loss and the refilled queue are the component\'s', async () => {
      const t = swavTrainer(config);
      try {
        assert.equal(t.objective.config.queueLength, 8, 'rounded down to a multiple of the batch');
        let s: SwavTrainState = t.initState();
        const phases: string[] = [];
        for (let step = 0; step < 5; step++) {
          const r = await t.stepOutputs(s, batch(step));
          phases.push(r.phase);
          assert.equal(r.state.queue === undefined, step < 2, `step ${step}: a queue exists from epoch 1 on`);
          if (r.phase !== 'off') {
            // the component on the step's own embeddings, prototypes and queue; it decides from its count of filled rows
            const queue = swavQueueState(s.queue ?? { axes: ['assign', 'slot', 'D'], sizes: [2, 8, 8], data: new Float64Array(128) }, 'D');
            const want = t.objective.loss({ embedding: nd(r.embedding, ['B', 'D']) as never, prototypes: nd(s.params.prototypes, ['K', 'D']) as never }, { queue, useTheQueue: false }, Number.MAX_SAFE_INTEGER);
            const [loss, newQueue] = evaluate([want.loss, want.state.queue!.queue] as const);
            close(r.loss, loss.data[0]!, `step ${step}: loss`);
            newQueue.data.forEach((v, i) => close(r.state.queue!.data[i]!, v, `step ${step}: queue[${i}]`));
          }
          s = r.state;
        }
        assert.deepEqual(phases, ['off', 'off', 'filling', 'filling', 'used']);
      } finally {
        t.destroy();
      }
    });

    it('is part of the saved state: restored from the checkpoint\'s tensors, the run goes on as if never stopped', async () => {
      const t = swavTrainer(config);
      try {
        let s: SwavTrainState = t.initState();
        for (let step = 0; step < 4; step++) s = (await t.step(s, batch(step))).state;
        const tensors = flattenToTensors(t.saved(s));
        assert.ok(Object.keys(tensors).includes('queue'));
        const restored = t.restore(tensors, s.step, s.key);
        const [a, b] = [await t.stepOutputs(s, batch(4)), await t.stepOutputs(restored, batch(4))];
        assert.equal(b.phase, 'used');
        assert.equal(b.loss, a.loss);
        assert.deepEqual(Array.from(b.state.queue!.data), Array.from(a.state.queue!.data));
        // before the queue starts a checkpoint holds none, and restores without one
        const early = t.restore(flattenToTensors(t.saved(t.initState())), 0, s.key);
        assert.equal(early.queue, undefined);
      } finally {
        t.destroy();
      }
    });
  });
});
