import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { rotateEach } from '../../src/ssl/rotate-each.js';
import { rotateImage, type QuarterTurns } from '../../src/ssl/rotation.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { assertGradient } from '../../src/testing/check-gradient.js';
import type { Tensor } from '../../src/ir/tensor.js';

describe('ssl/rotate-each', () => {
  it('turns each image by its own quarter turns, as rotateImage turns it alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: 4, maxLength: 4 }), (size, b, allTurns) => {
        const turns = allTurns.slice(0, b);
        const data = Float64Array.from({ length: b * size * size }, (_, i) => (i * 37) % 101);
        const x = fromArray(data, ['B', 'H', 'W'], [b, size, size]);
        const out = evaluate(rotateEach(x, fromArray(turns, ['B'], [b])));
        assert.deepEqual(out.axes, ['B', 'H', 'W']);
        turns.forEach((t, i) => {
          const one = { axes: ['H', 'W'] as const, sizes: [size, size], data: data.slice(i * size * size, (i + 1) * size * size) };
          assert.deepEqual(out.data.slice(i * size * size, (i + 1) * size * size), rotateImage(one, t as QuarterTurns).data, `image ${i}, ${t} turns`);
        });
      }),
    );
  });

  it('passes gradients to each image through its own rotation', () => {
    const x = { axes: ['B', 'H', 'W'] as const, sizes: [2, 3, 3], data: Float64Array.from({ length: 18 }, (_, i) => Math.sin(i)) };
    const turns = fromArray([1, 3], ['B'], [2]);
    assertGradient((t) => rotateEach(t as Tensor<['B', 'H', 'W']>, turns), [x]);
  });

  it('names non-square images and a turns list of the wrong length', () => {
    assert.throws(() => rotateEach(fromArray(new Float64Array(12), ['B', 'H', 'W'], [2, 2, 3]), fromArray([0, 1], ['B'], [2])), /must be square/);
    assert.throws(() => rotateEach(fromArray(new Float64Array(8), ['B', 'H', 'W'], [2, 2, 2]), fromArray([0], ['B'], [1])), /one entry per image/);
  });
});
