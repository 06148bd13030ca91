import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { grad } from '../../src/autodiff/grad.js';
import { evaluate, scalarValue, valueOf } from '../../src/runtime/interpret.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { dinoLoss } from '../../src/testing/conformance/components/dino-loss.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { dino } from '../../src/ssl/dino.js';
import { asCenter } from '../../src/ssl/center.js';
import { asTeacher, type Teacher } from '../../src/ssl/teacher.js';

const config = { ncrops: 4, warmupTeacherTemp: 0.04, teacherTemp: 0.07, warmupTeacherTempEpochs: 3, nepochs: 6 };

describe('ssl/dino', () => {
  it('dino_loss.json: every line passes (two calls, center carried over)', () => {
    const report = checkFile('test/fixtures/golden/dino_loss.json', { components: { [dinoLoss.name]: dinoLoss } });
    assert.equal(report.error, undefined);
    assert.ok(report.lines.length >= 11);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('the loss is invariant to permuting the batch consistently across views (and so is the new center)', () => {
    const B = 3;
    const K = 4;
    const objective = dino(config);
    const views = fc.array(tensorOf(['B', 'K'], [B, K], { min: -3, max: 3 }), { minLength: 4, maxLength: 4 });
    const center = tensorOf(['K'], [K]);
    fc.assert(
      fc.property(views, center, fc.constantFrom([0, 1, 2], [2, 0, 1], [1, 0, 2], [0, 2, 1]), fc.integer({ min: 0, max: 5 }), (vs, c, perm, epoch) => {
        const permuted = (data: Float64Array) => Float64Array.from(perm.flatMap((r) => Array.from(data.subarray(r * K, (r + 1) * K))));
        const make = (data: Float64Array) => fromArray(data, ['B', 'K'], [B, K]);
        const state = { center: objective.init('K', K).center };
        const withCenter = { center: asCenter(fromArray(c.data, ['K'], [K])) };
        for (const s of [state, withCenter]) {
          const a = objective.loss(vs.map((v) => make(v.data)), vs.slice(0, 2).map((v) => asTeacher(make(v.data))), s, epoch);
          const b = objective.loss(vs.map((v) => make(permuted(v.data))), vs.slice(0, 2).map((v) => asTeacher(make(permuted(v.data)))), s, epoch);
          const [la, lb] = [scalarValue(a.loss), scalarValue(b.loss)];
          assert.ok(Math.abs(la - lb) <= 1e-12 * Math.max(1, Math.abs(la)), `${la} vs ${lb}`);
          const [ca, cb] = [valueOf(a.state.center), valueOf(b.state.center)];
          ca.forEach((v, i) => assert.ok(Math.abs(v - cb[i]!) < 1e-12));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('no gradient flows into the teacher; the student passes checkGradient', () => {
    const objective = dino({ ...config, ncrops: 3 });
    const state = { center: asCenter(fromArray([0.1, -0.2, 0.3], ['K'], [3])) };
    fc.assert(
      fc.property(tensorOf(['N', 'K'], [6, 3]), tensorOf(['N', 'K'], [4, 3]), (s, t) => {
        const teacher = fromArray(t.data, ['N', 'K'], [4, 3]);
        const student = fromArray(s.data, ['N', 'K'], [6, 3]);
        // The type asks for a detached teacher; the cast feeds a live one to check that the loss detaches it anyway.
        const gt = grad((x: Tensor<['N', 'K']>) => objective.lossStacked(student, x as Teacher<Tensor<['N', 'K']>>, { center: state.center }, 1).loss)(teacher);
        assert.ok(valueOf(gt).every((v) => v === 0));
        const r = checkGradient((x) => objective.lossStacked(x as Tensor<['N', 'K']>, asTeacher(teacher), { center: state.center }, 1).loss, [s]);
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 5 },
    );
  });

  it('threads the center: the loss uses the old center, the state the new one; the temperature follows the schedule', () => {
    const objective = dino({ ...config, ncrops: 2, centerMomentum: 0.5 });
    const t = fromArray([1, 2, 3, 4], ['B', 'K'], [1, 4]);
    const u = fromArray([3, 2, 1, 0], ['B', 'K'], [1, 4]);
    const s0 = objective.init('K', 4);
    const r0 = objective.loss([t, u], [asTeacher(t), asTeacher(u)], s0, 0);
    assert.deepEqual(Array.from(valueOf(r0.state.center)), [1, 1, 1, 1]);
    assert.equal(r0.temperature, 0.04);
    const r1 = objective.loss([t, u], [asTeacher(t), asTeacher(u)], r0.state, 4);
    assert.equal(r1.temperature, 0.07);
    assert.deepEqual(Array.from(valueOf(r1.state.center)), [1.5, 1.5, 1.5, 1.5]);
    assert.deepEqual(Array.from(valueOf(s0.center)), [0, 0, 0, 0]);
    assert.throws(() => objective.loss([t], [asTeacher(t), asTeacher(u)], s0, 0), /1 student views/);
    assert.ok(Number.isFinite(evaluate(r1.loss).data[0]!));
  });
});
