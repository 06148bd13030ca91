import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { mul } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { asTeacher, asTeacherParams, detachTree } from '../../src/ssl/teacher.js';

describe('ssl/teacher', () => {
  const x = fromArray([1, 2, 3], ['K'], [3]) as Tensor<['K']>;

  it("marks a teacher's output without changing its value, and detaches it", () => {
    assert.deepEqual(Array.from(valueOf(asTeacher(x))), [1, 2, 3]);
    const g = grad((t: Tensor<['K']>) => sum(mul(asTeacher(t), t)))(x);
    assert.deepEqual(Array.from(valueOf(g)), [1, 2, 3]);
  });

  it("detaches every leaf of the teacher's parameters, keeping the tree", () => {
    const params = { w: x, layers: [{ b: x }] };
    const teacher = asTeacherParams(params);
    assert.deepEqual(Array.from(valueOf(teacher.layers[0]!.b)), [1, 2, 3]);
    const g = grad((p: typeof params) => sum(mul(asTeacherParams(p).w, p.w)))(params);
    assert.deepEqual(Array.from(valueOf(g.w)), [1, 2, 3]);
    assert.deepEqual(Array.from(valueOf(detachTree(params).w)), [1, 2, 3]);
  });
});
