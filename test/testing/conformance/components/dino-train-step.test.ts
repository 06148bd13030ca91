import { strict as assert } from 'node:assert';
import { dinoTrainStepComponent } from '../../../../src/testing/conformance/components/dino-train-step.js';
import { checkFileOn, loadGolden } from '../../../../src/testing/conformance/runner.js';
import { availableBackends, type Backend, type GpujsBackend } from '../../../../src/compile/index.js';
import { checkGoldenSync } from '../../../../src/testing/conformance/golden-check.js';
import { assertGolden } from '../../../nn/resmlp/support.js';

const fixture = 'test/fixtures/golden/dino_train_step.json';
const variant = (optimizer: string) => `test/fixtures/golden-variants/dino_train_step.${optimizer}.json`;
const failedKeys = (path: string, edit: (config: Record<string, unknown>) => Record<string, unknown>) => {
  const file = loadGolden(path);
  const report = checkGoldenSync('dino_train_step', { ...file, config: edit(file.config) }, path, { components: { dino_train_step: dinoTrainStepComponent } });
  assert.equal(report.error, undefined, report.error);
  return report.lines.filter((l) => l.status === 'fail').map((l) => l.key);
};
// The compiled backends the conformance runner checks here: the native wasm one and gpu.js' webasm.
const compiledBackends: Backend[] = ['wasm', ...(['webasm'] as GpujsBackend[]).filter((b) => availableBackends().includes(b))];

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

  for (const optimizer of ['sgd', 'lars']) {
    it(`passes the --optimizer ${optimizer} variant (main_dino.py's ${optimizer === 'sgd' ? 'torch.optim.SGD' : 'utils.LARS'}) on the reference and ${compiledBackends.join(', ')}`, async function () {
      this.timeout(600000);
      const path = variant(optimizer);
      assert.equal(loadGolden(path).config['optimizer_flag'], optimizer);
      for (const backend of [undefined, ...compiledBackends]) {
        const report = await checkFileOn(path, backend === undefined ? {} : { backend });
        assert.equal(report.error, undefined, report.error);
        if (backend !== undefined) assert.equal(report.ran?.backend, backend);
        const failed = report.lines.filter((l) => l.status !== 'pass').map((l) => `${backend ?? 'reference'} ${l.key} ${l.maxAbs}`);
        assert.deepEqual(failed, []);
        assert.ok(report.lines.some((l) => l.key === 'student/backbone.blocks.0.norm1.weight'));
      }
    });
  }

  it("fails the sgd variant when run with AdamW or LARS, and the lars variant when run with SGD: the file's optimiser is read, not assumed", () => {
    assert.ok(failedKeys(variant('sgd'), (c) => ({ ...c, optimizer_flag: 'lars' })).includes('student/backbone.blocks.0.attn.qkv.weight'));
    assert.ok(failedKeys(variant('lars'), (c) => ({ ...c, optimizer_flag: 'sgd' })).includes('student/backbone.blocks.0.attn.qkv.weight'));
  });

  it("fails the lars variant when its last layer is not frozen: its momentum buffer would move it", () => {
    assert.ok(failedKeys(variant('lars'), (c) => ({ ...c, freeze_last_layer: 1 })).includes('student/head.last_layer.weight_v'));
  });

  it('names the choices when the file names an optimiser there is none of', () => {
    const file = loadGolden(variant('sgd'));
    const report = checkGoldenSync('dino_train_step', { ...file, config: { ...file.config, optimizer_flag: 'adagrad' } }, variant('sgd'), { components: { dino_train_step: dinoTrainStepComponent } });
    assert.match(report.error ?? '', /config\.optimizer_flag: expected one of lars, adamw, sgd, got "adagrad"/);
  });
});
