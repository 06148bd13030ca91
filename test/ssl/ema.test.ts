import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray, scalar } from '../../src/ops/sources.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { emaUpdate } from '../../src/ssl/ema.js';
import { asTeacherParams } from '../../src/ssl/teacher.js';

describe('ssl/ema', () => {
  const teacher = asTeacherParams({ w: fromArray([1, 2], ['C'], [2]), b: [fromArray([0], [], [])] });
  const student = { w: fromArray([3, 6], ['C'], [2]), b: [fromArray([1], [], [])] };

  it('is m·teacher + (1 - m)·student, leaf by leaf, as a new tree', () => {
    const next = emaUpdate(teacher, student, 0.75);
    assert.deepEqual(Array.from(valueOf(next.w)), [1 * 0.75 + 3 * 0.25, 2 * 0.75 + 6 * 0.25]);
    assert.deepEqual(Array.from(valueOf(next.b[0]!)), [0.25]);
    assert.deepEqual(Array.from(valueOf(teacher.w)), [1, 2]);
    assert.throws(() => emaUpdate(teacher, student, 1.5), /momentum/);
  });

  it('takes the momentum as a scalar tensor too (a traced input), with the same values', () => {
    const next = emaUpdate(teacher, student, scalar(0.75) as Tensor<[]>);
    assert.deepEqual(Array.from(valueOf(next.w)), [1.5, 3]);
  });

  it("leaves BatchNorm's buffers to the teacher (DINO averages parameters only)", () => {
    const t = asTeacherParams({ bn: { weight: fromArray([1], ['C'], [1]), running_mean: fromArray([5], ['C'], [1]) } });
    const s = { bn: { weight: fromArray([3], ['C'], [1]), running_mean: fromArray([9], ['C'], [1]) } };
    const next = emaUpdate(t, s, 0.5);
    assert.deepEqual(Array.from(valueOf(next.bn.weight)), [2]);
    assert.deepEqual(Array.from(valueOf(next.bn.running_mean)), [5]);
  });

  it('refuses trees of another structure', () => {
    const other: object = { w: student.w, c: student.b };
    assert.throws(() => emaUpdate<object>(teacher, other, 0.5), /teacher/);
  });
});
