import { strict as assert } from 'node:assert';
import { dinoTrainStepComponent } from '../../../../src/testing/conformance/components/dino-train-step.js';
import { loadGolden } from '../../../../src/testing/conformance/runner.js';
import { checkGoldenSync } from '../../../../src/testing/conformance/golden-check.js';
import { assertGolden } from '../../../nn/resmlp/support.js';

const fixture = 'test/fixtures/golden/dino_train_step.json';

describe('testing/conformance/components/dino-train-step', () => {
  it("reproduces dino_train_step.json with the trainer's step: loss, center, updated student and teacher, raw and clipped gradients", () => {
    const s = assertGolden('dino_train_step', dinoTrainStepComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('passes a variant at other sizes, seed and epoch (the last layer learning for the first time, with its own AdamW step count)', () => {
    const path = 'test/fixtures/golden-variants/dino_train_step.json';
    const report = checkGoldenSync('dino_train_step', loadGolden(path), path, { components: { dino_train_step: dinoTrainStepComponent } });
    assert.equal(report.error, undefined, report.error);
    const failed = report.lines.filter((l) => l.status !== 'pass').map((l) => `${l.key} ${l.maxAbs}`);
    assert.deepEqual(failed, []);
    assert.ok(report.lines.some((l) => l.key === 'student/head.last_layer.weight_v'));
  });

  it('fails when the clipping setting differs from the file (the clipping is pinned, not incidental)', () => {
    const file = loadGolden(fixture);
    const report = checkGoldenSync('dino_train_step', { ...file, config: { ...file.config, clip_grad: 1e9 } }, fixture, { components: { dino_train_step: dinoTrainStepComponent } });
    const failed = report.lines.filter((l) => l.status === 'fail').map((l) => l.key);
    assert.ok(failed.includes('student/head.mlp.4.weight'), `failed: ${failed.join(', ')}`);
  });

  it('fails when the last layer is not frozen: AdamW would move it', () => {
    const file = loadGolden(fixture);
    const report = checkGoldenSync('dino_train_step', { ...file, config: { ...file.config, freeze_last_layer: 0 } }, fixture, { components: { dino_train_step: dinoTrainStepComponent } });
    const failed = report.lines.filter((l) => l.status === 'fail').map((l) => l.key);
    assert.ok(failed.includes('student/head.last_layer.weight_v'), `failed: ${failed.join(', ')}`);
  });
});
