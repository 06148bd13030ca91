import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { tensorOf } from '../../src/testing/index.js';
import { applyCenter, asCenter, centering, initCenter, updateCenter, updateCenterOnAxes } from '../../src/ssl/center.js';
import { temperedSoftmax } from '../../src/ssl/sharpen.js';

describe('ssl/center', () => {
  it('updates the center as m·c + (1 - m)·mean over the batch, and subtracts it', () => {
    const x = fromArray([1, 2, 3, 5, 6, 7], ['B', 'K'], [2, 3]);
    const c0 = initCenter(['K'], [3]);
    const c1 = updateCenter(c0, x, 'B', 0.9);
    assert.deepEqual(Array.from(valueOf(c1)), [0, 0, 0].map((_, k) => 0 * 0.9 + ([3, 4, 5][k]! * (1 - 0.9))));
    const c2 = updateCenter(c1, x, 'B', 0.5);
    const expected = [3, 4, 5].map((m, k) => valueOf(c1)[k]! * 0.5 + m * (1 - 0.5));
    assert.deepEqual(Array.from(valueOf(c2)), expected);
    assert.deepEqual(Array.from(valueOf(applyCenter(x, c1))), [1, 2, 3, 5, 6, 7].map((v, i) => v - valueOf(c1)[i % 3]!));
  });

  it('checks at run time, where the types cannot, that the center is the mean over the batch axis', () => {
    const x = fromArray([1, 2, 3, 5, 6, 7], ['B', 'K'], [2, 3]);
    assert.deepEqual(Array.from(valueOf(updateCenterOnAxes(initCenter(['K'], [3]), x, 'B', 0.5))), [1.5, 2, 2.5]);
    assert.throws(() => updateCenterOnAxes(initCenter(['Z'], [3]), x, 'B', 0.5), /center \[Z\] is not the mean of \[B, K\] over B/);
    assert.throws(() => updateCenterOnAxes(initCenter(['K'], [3]), x, 'N', 0.5), /over N/);
  });

  it('is a value threaded by the caller: the same inputs give the same center, the old one is unchanged', () => {
    const cent = centering(0.9, 'B');
    const x = fromArray([1, -1, 2, 0], ['B', 'K'], [2, 2]);
    const c0 = cent.init(x);
    const c1 = cent.update(c0, x);
    assert.deepEqual(Array.from(valueOf(c0)), [0, 0]);
    assert.deepEqual(Array.from(valueOf(c1)), Array.from(valueOf(cent.update(c0, x))));
  });

  it('no gradient flows into the teacher through the center update', () => {
    const x = fromArray([1, -1, 2, 0], ['B', 'K'], [2, 2]);
    const g = grad((t: Tensor<['B', 'K']>) => sum(updateCenter(initCenter(['K'], [2]), t, 'B', 0.5)))(x);
    assert.deepEqual(Array.from(valueOf(g)), [0, 0, 0, 0]);
  });

  it('a centred softmax is unchanged when the inputs and the center move together', () => {
    fc.assert(
      fc.property(tensorOf(['B', 'K'], [3, 4]), tensorOf(['K'], [4]), (x, c) => {
        const t = fromArray(x.data, ['B', 'K'], [3, 4]);
        const center = asCenter(fromArray(c.data, ['K'], [4]));
        // softmax((x + c) - c) = softmax(x)
        const shifted = applyCenter(t, asCenter(fromArray(c.data.map((v) => -v), ['K'], [4])));
        const a = valueOf(temperedSoftmax(applyCenter(shifted, center), 0.1, 'K'));
        const b = valueOf(temperedSoftmax(t, 0.1, 'K'));
        a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-12));
      }),
      { numRuns: 30 },
    );
  });
});
