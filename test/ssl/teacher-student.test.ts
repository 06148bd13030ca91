import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { emaMomentumSchedule } from '../../src/optim/schedules.js';
import { emaUpdate, teacherStudent } from '../../src/ssl/teacher-student.js';

describe('ssl/teacher-student', () => {
  it('the EMA update is m·teacher + (1 - m)·student, leaf by leaf, as a new tree', () => {
    const teacher = { w: fromArray([1, 2], ['C'], [2]), b: [fromArray([0], [], [])] };
    const student = { w: fromArray([3, 6], ['C'], [2]), b: [fromArray([1], [], [])] };
    const next = emaUpdate(teacher, student, 0.75);
    assert.deepEqual(Array.from(valueOf(next.w)), [1 * 0.75 + 3 * 0.25, 2 * 0.75 + 6 * 0.25]);
    assert.deepEqual(Array.from(valueOf(next.b[0]!)), [0.25]);
    assert.deepEqual(Array.from(valueOf(teacher.w)), [1, 2]);
    assert.throws(() => emaUpdate(teacher, student, 1.5), /momentum/);
  });

  it('teacher outputs and the EMA carry no gradient; the student follows its schedule', () => {
    const net = linear('C', 'K');
    const ts = teacherStudent(net, emaMomentumSchedule({ base: 0.9, epochs: 2, iterationsPerEpoch: 2 }));
    const state = ts.init(key(0), { C: 3, K: 2 });
    const x = fromArray([1, 2, 3, -1, 0, 1], ['B', 'C'], [2, 3]);
    type P = LinearParams<'C', 'K'>;
    const g = grad((p: P) => sum(ts.teacher({ ...state, teacher: p }, x)))(state.student);
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
});
