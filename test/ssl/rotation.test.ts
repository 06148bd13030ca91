import { strict as assert } from 'node:assert';
import { rotate, rotateImage, rotationBatch, quarterTurns, type QuarterTurns } from '../../src/ssl/rotation.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { assertGradient } from '../../src/testing/check-gradient.js';
import type { Tensor } from '../../src/ir/tensor.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

const img = (h: number, w: number, c: number): NDArray<readonly ['H', 'W', 'C']> => ({ axes: ['H', 'W', 'C'], sizes: [h, w, c], data: Float64Array.from({ length: h * w * c }, (_, i) => i) });

describe('ssl/rotation', () => {
  it('follows rotate_img: 90 is counter-clockwise, 270 clockwise', () => {
    const x = img(2, 3, 1);
    assert.deepEqual(Array.from(rotateImage(x, 1).data), [2, 5, 1, 4, 0, 3]);
    assert.deepEqual(rotateImage(x, 1).sizes, [3, 2, 1]);
    assert.deepEqual(Array.from(rotateImage(x, 2).data), [5, 4, 3, 2, 1, 0]);
    assert.deepEqual(Array.from(rotateImage(x, 3).data), [3, 0, 4, 1, 5, 2]);
    assert.equal(quarterTurns(-90), 3);
    assert.equal(quarterTurns(450), 1);
    assert.throws(() => quarterTurns(45), /not a multiple of 90/);
  });

  it('the tensor rotation agrees with the value rotation, keeps axis names, and four turns are the identity', () => {
    const x = img(3, 4, 2);
    const t = fromArray(x.data, ['H', 'W', 'C'], x.sizes);
    for (const k of [0, 1, 2, 3] as QuarterTurns[]) {
      const r = evaluate(rotate(t, 'H', 'W', k));
      assert.deepEqual(r.axes, ['H', 'W', 'C']);
      assert.deepEqual(r.sizes, rotateImage(x, k).sizes);
      assert.deepEqual(r.data, rotateImage(x, k).data);
    }
    // Channel-first layout and other axes anywhere.
    const chw = fromArray(Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i), ['C', 'H', 'W'], [2, 3, 4]);
    let y: Tensor<['C', 'H', 'W']> = chw;
    for (let i = 0; i < 4; i++) y = rotate(y, 'H', 'W', 1);
    assert.deepEqual(evaluate(y).data, evaluate(chw).data);
  });

  it('gradients flow through rotations', () => {
    const x = img(2, 3, 2);
    for (const k of [1, 2, 3] as QuarterTurns[]) assertGradient((t) => rotate(t as Tensor<['H', 'W', 'C']>, 'H', 'W', k), [{ ...x, data: x.data.map((v) => v / 7) }]);
  });

  it('rotationBatch stacks the four rotations with their labels', () => {
    const x = fromArray(Float64Array.from({ length: 2 * 3 * 3 }, (_, i) => i), ['B', 'H', 'W'], [2, 3, 3]);
    const { images, labels } = rotationBatch(x, 'B', 'H', 'W');
    const v = evaluate({ images, labels });
    assert.deepEqual(v.images.sizes, [8, 3, 3]);
    assert.deepEqual(Array.from(v.labels.data), [0, 0, 1, 1, 2, 2, 3, 3]);
    const one = evaluate(rotate(x, 'H', 'W', 1)).data;
    assert.deepEqual(v.images.data.slice(18, 36), one);
    assert.throws(() => rotationBatch(fromArray(new Float64Array(6), ['B', 'H', 'W'], [1, 2, 3]), 'B', 'H', 'W'), /rows \(2\) must equal cols \(3\)/);
  });
});
