import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { batchNorm } from '../../src/nn/batch-norm.js';
import { emaMomentumSchedule } from '../../src/optim/schedules.js';
import { teacherStudent } from '../../src/ssl/teacher-student.js';
import { asTeacherParams } from '../../src/ssl/teacher.js';

describe('ssl/teacher-student', () => {
  it('teacher outputs and the EMA carry no gradient; the student follows its schedule', () => {
    const net = linear('C', 'K');
    const ts = teacherStudent(net, emaMomentumSchedule({ base: 0.9, epochs: 2, iterationsPerEpoch: 2 }));
    const state = ts.init(key(0), { C: 3, K: 2 });
    const x = fromArray([1, 2, 3, -1, 0, 1], ['B', 'C'], [2, 3]);
    type P = LinearParams<'C', 'K'>;
    const g = grad((p: P) => sum(ts.teacher({ ...state, teacher: asTeacherParams(p) }, x)))(state.student);
    assert.deepEqual(Array.from(valueOf(g.weight)), [0, 0, 0, 0, 0, 0]);
    const gs = grad((p: P) => sum(ts.student(p, x)))(state.student);
    assert.ok(Array.from(valueOf(gs.weight)).some((v) => v !== 0));
    const moved = { weight: fromArray([0, 0, 0, 0, 0, 0], ["K", 'C'], [2, 3]) as Tensor<['K', 'C']>, bias: fromArray([1, 1], ['K'], [2]) as Tensor<['K']> };
    const next = ts.update(state, moved);
    assert.equal(next.step, 1);
    assert.equal(ts.momentumAt(0), 0.9);
    const w0 = valueOf((state.teacher as P).weight);
    valueOf((next.teacher as P).weight).forEach((v, i) => assert.ok(Math.abs(v - w0[i]! * 0.9) < 1e-15));
    const g2 = grad((s: P) => sum(ts.update(state, s).teacher.bias as Tensor<['K']>))(moved);
    assert.deepEqual(Array.from(valueOf(g2.bias)), [0, 0]);
  });

  it("update takes the teacher's running statistics from its forward pass, not from the student", () => {
    const bn = batchNorm('C');
    const net = { init: (k: ReturnType<typeof key>, sizes: Record<string, number>) => bn.init(k, sizes), apply: bn.apply };
    const ts = teacherStudent(net, 0.5);
    const state = ts.init(key(0), { C: 2 });
    const x = fromArray([1, 2, 3, 6], ['B', 'C'], [2, 2]);
    const emitted: Record<string, Tensor> = {};
    ts.teacher(state, x, { training: true, key: undefined, path: [], emit: (name, value) => void (emitted[name] = value) });
    assert.ok(Object.keys(emitted).some((p) => p.endsWith('running_mean')), Object.keys(emitted).join(', '));
    const student = { ...state.student, running_mean: fromArray([100, 100], ['C'], [2]) as Tensor<['C']> };
    const next = ts.update(state, student, emitted);
    // running_mean = 0.9·0 + 0.1·batch mean [2, 4]
    valueOf(next.teacher.running_mean).forEach((v, i) => assert.ok(Math.abs(v - [0.2, 0.4][i]!) < 1e-12, `${v}`));
  });
});
