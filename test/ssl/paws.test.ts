import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { grad } from '../../src/autodiff/grad.js';
import { evaluate, scalarValue, valueOf } from '../../src/runtime/interpret.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { pawsLoss } from '../../src/testing/conformance/components/paws-loss.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { paws } from '../../src/ssl/paws.js';

describe('ssl/paws', () => {
  it('paws_loss.json: every line passes (including the debug values and the three z gradients)', () => {
    const report = checkFile('test/fixtures/golden/paws_loss.json', { components: { [pawsLoss.name]: pawsLoss } });
    assert.equal(report.error, undefined);
    assert.ok(report.lines.length >= 10);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('targets and predictions lie on the simplex (targets up to the zeroed entries below 1e-4)', () => {
    const objective = paws({ numClasses: 3, supportImagesPerClass: 1, multicrop: 2 });
    const rows = objective.numSupport + 4 * 2;
    const labels = objective.labels();
    fc.assert(
      fc.property(tensorOf(['N', 'D'], [rows, 4]), tensorOf(['N', 'D'], [rows, 4]), (h, z) => {
        const r = objective.loss(fromArray(h.data, ['N', 'D'], [rows, 4]), fromArray(z.data, ['N', 'D'], [rows, 4]), labels);
        const v = evaluate({ t: r.targets, p: r.probs, avg: r.averageSharpened });
        for (const [x, slack] of [[v.t, 3e-4], [v.p, 1e-12], [v.avg, 1e-12]] as const) {
          for (let i = 0; i < x.data.length / 3; i++) {
            const row = x.data.subarray(i * 3, i * 3 + 3);
            row.forEach((e) => assert.ok(e >= 0));
            const s = row.reduce((a, b) => a + b, 0);
            assert.ok(s <= 1 + 1e-12 && s >= 1 - slack, `row sums to ${s}`);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('no gradient flows into the targets (h); z passes checkGradient', () => {
    const objective = paws({ numClasses: 2, supportImagesPerClass: 1, multicrop: 1 });
    const rows = objective.numSupport + 3;
    const labels = objective.labels();
    fc.assert(
      fc.property(tensorOf(['N', 'D'], [rows, 3], { min: -1, max: 1, awayFrom: [0], margin: 0.1 }), tensorOf(['N', 'D'], [rows, 3], { min: -1, max: 1, awayFrom: [0], margin: 0.1 }), (h, z) => {
        const ht = fromArray(h.data, ['N', 'D'], [rows, 3]);
        const zt = fromArray(z.data, ['N', 'D'], [rows, 3]);
        const gh = grad((x: Tensor<['N', 'D']>) => objective.loss(x, zt, labels).loss)(ht);
        assert.ok(valueOf(gh).every((v) => v === 0));
        // Sharpening (T = 0.25) makes the loss very curved: a small finite-difference step keeps truncation error down.
        const r = checkGradient((x) => objective.loss(ht, x as Tensor<['N', 'D']>, labels).loss, [z], { step: 1e-6 });
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 5 },
    );
  });

  it('without me-max the loss is ploss; without multi-crop the targets are the two global views', () => {
    const objective = paws({ numClasses: 2, supportImagesPerClass: 2, multicrop: 0, meMax: false, supportViews: 2 });
    const rows = objective.numSupport + 2 * 3;
    const h = fromArray(Array.from({ length: rows * 2 }, (_, i) => Math.sin(i + 1)), ['N', 'D'], [rows, 2]);
    const z = fromArray(Array.from({ length: rows * 2 }, (_, i) => Math.cos(i + 1)), ['N', 'D'], [rows, 2]);
    const r = objective.loss(h, z, objective.labels());
    assert.equal(scalarValue(r.loss), scalarValue(r.ploss));
    assert.deepEqual(r.targets.sizes, [6, 2]);
    assert.throws(() => objective.loss(h, z, paws({ numClasses: 2, supportImagesPerClass: 1 }).labels()), /label rows/);
  });
});
