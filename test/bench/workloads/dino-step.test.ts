import { strict as assert } from 'node:assert';
import { compareOutputs, defaultTolerance } from '../../../bench/harness.js';
import { findTorchPython, pytorchCandidate } from '../../../bench/pytorch.js';
import { CHECK_STEPS, dinoStepData, dinoStepPeer, mainJob, shapegradDinoStep } from '../../../bench/workloads/dino-step.js';
import { defaultDinoConfig } from '../../../src/train/dino.js';

describe('bench workload dino-step (bench/workloads/dino-step.ts)', function () {
  this.timeout(180_000);
  const d = dinoStepData();

  it('is the npm start job: the CLI\'s DINO defaults', () => {
    assert.equal(mainJob.batchSize, 32);
    assert.equal(mainJob.model, 'xcit-tiny');
    assert.equal(mainJob.outDim, 256);
    assert.equal(mainJob.localViews, 0);
    assert.equal(d.images.length, 32 * 28 * 28);
  });

  it('gives the PyTorch peer the initial networks, the images and each check step\'s views, rate, weight decay, momentum and clipping', () => {
    const w = dinoStepPeer(d);
    const names = Object.keys(w.tensors);
    assert.ok(names.includes('student.backbone.blocks[0].attn.qkv.weight'));
    assert.ok(names.includes('teacher.head.last_layer.weight_v'));
    assert.deepEqual(w.tensors['images']!.shape, [32, 28, 28]);
    for (let s = 0; s < CHECK_STEPS; s++) {
      assert.deepEqual(w.tensors[`step${s}.view0.ry`]!.shape, [32, 28, 28]);
      assert.deepEqual(w.tensors[`step${s}.view1.solarize`]!.shape, [32]);
      assert.equal(w.tensors[`step${s}.view0.solarize`], undefined);
    }
    const info = w.job['stepsInfo'] as { lr: number; momentum: number; wd: number; lastLayerFrozen: boolean }[];
    // The recipe's clipping, per-step weight decay (DINO's cosine from 0.04) and the last layer learning.
    assert.equal((w.job['config'] as { clipGrad: number }).clipGrad, 3);
    assert.ok(info.every((s) => s.wd >= 0.04 && s.wd < 0.4 && !s.lastLayerFrozen), JSON.stringify(info));
    assert.equal(info.length, CHECK_STEPS);
    // From the end of the warm-up: at the peak rate, not 1/20 of it.
    assert.ok(Math.abs(info[0]!.lr - defaultDinoConfig.lr) / defaultDinoConfig.lr < 0.01, `lr ${info[0]!.lr}`);
    assert.ok(info.every((s) => s.momentum >= 0.996 && s.momentum < 1));
  });

  it('PyTorch\'s step computes what shapegrad\'s does: losses of 3 steps, their change and the centre', async function () {
    const found = findTorchPython();
    if ('skipped' in found) this.skip();
    const sgStep = await shapegradDinoStep(d, 1).prepare();
    const want = await sgStep.first();
    sgStep.dispose();
    const torchStep = await pytorchCandidate((found as { python: string }).python, 1, dinoStepPeer(d)).prepare();
    try {
      const got = await torchStep.first();
      const cmp = compareOutputs(got, want);
      assert.ok(cmp.lossErr <= defaultTolerance.loss && cmp.tensorErr <= defaultTolerance.tensor, JSON.stringify(cmp));
      // The steps learn: the change the check compares is far above float32 rounding.
      const change = want.tensors['loss change']!;
      assert.ok(Math.abs(change[0]!) > 0.01, `loss change ${change[0]}`);
    } finally {
      torchStep.dispose();
    }
  });
});
