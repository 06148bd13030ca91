import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { checkGradient, tensor, shape, tensorOf } from '../../src/testing/index.js';
import type { Tensor } from '../../src/index.js';

describe('testing/checkGradient', () => {
  it('accepts correct gradients of a composite layer', () => {
    const x = { axes: ['B', 'C'], sizes: [2, 3], data: Float64Array.from([0.1, -0.5, 0.3, 1.2, -0.7, 0.2]) };
    const result = checkGradient((t) => sg.layerNorm(t as Tensor<['B', 'C']>, 'C'), [x]);
    assert.ok(result.ok, result.message);
  });

  it('catches a wrong VJP and says where', () => {
    const x = { axes: ['C'], sizes: [3], data: Float64Array.from([0.5, -1, 2]) };
    // The value of x^2 with a gradient of zero: a layer whose backward pass lost a path.
    const wrong = (t: Tensor) => sg.add(sg.stopGradient(sg.mul(t as Tensor<['C']>, t as Tensor<['C']>)), sg.mul(sg.mul(t as Tensor<['C']>, t as Tensor<['C']>), 0)) as Tensor;
    const result = checkGradient(wrong, [x]);
    assert.equal(result.ok, false);
    assert.match(result.message, /gradient of input 0 \[C=3\] at element \d: autodiff 0, finite differences/);
  });

  it('arbitraries draw shapes and tensors within their bounds', () => {
    fc.assert(
      fc.property(shape({ maxRank: 3, max: 4 }), tensor({ minRank: 1 }, { min: -1, max: 1, awayFrom: [0], margin: 0.1 }), (s, t) => {
        assert.ok(s.axes.length <= 3 && s.sizes.every((n) => n >= 1 && n <= 4));
        assert.equal(t.data.length, t.sizes.reduce((a, b) => a * b, 1));
        assert.ok(t.data.every((v) => v >= -1 && v <= 1 && Math.abs(v) >= 0.0999));
      }),
      { numRuns: 100 },
    );
    fc.assert(fc.property(tensorOf(['A'], [5]), (t) => t.data.length === 5));
  });
});
