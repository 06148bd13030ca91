import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { layerNorm } from '../../src/nn/index.js';
import { key } from '../../src/runtime/prng.js';

describe('nn/layerNorm', () => {
  it('normalises over its axis with PyTorch semantics (biased variance, eps inside the sqrt), then scales and shifts', () => {
    const xs = [1, 2, 4, -1, 0, 3];
    const x = sg.fromArray(xs, ['N', 'C'], { N: 2, C: 3 });
    const p = { weight: sg.fromArray([1, 2, 3], ['C'], [3]), bias: sg.fromArray([0, 1, -1], ['C'], [3]) };
    const y = sg.valueOf(layerNorm('C', 1e-6).apply(p, x));
    [0, 1].forEach((n) => {
      const row = xs.slice(3 * n, 3 * n + 3);
      const mu = row.reduce((a, b) => a + b, 0) / 3;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 3;
      row.forEach((value, c) => {
        const expected = ((value - mu) / Math.sqrt(v + 1e-6)) * [1, 2, 3][c]! + [0, 1, -1][c]!;
        assert.ok(Math.abs(y[3 * n + c]! - expected) < 1e-14);
      });
    });
  });

  it('initialises weight 1 and bias 0, and keeps the input type', () => {
    const p = sg.evaluate(layerNorm('C').init(key(0), { C: 4 }));
    assert.deepEqual(Array.from(p.weight.data), [1, 1, 1, 1]);
    assert.deepEqual(Array.from(p.bias.data), [0, 0, 0, 0]);
    const y: sg.Tensor<['B', 'N', 'C']> = layerNorm('C').apply(layerNorm('C').init(key(0), { C: 2 }), sg.fromArray([1, 2, 3, 4], ['B', 'N', 'C'], { B: 1, N: 2, C: 2 }));
    assert.deepEqual(y.axes, ['B', 'N', 'C']);
  });

  it('names the missing axis', () => {
    const p = layerNorm('C').init(key(0), { C: 2 });
    assert.throws(() => layerNorm('C').apply(p, sg.fromArray([1, 2], ['D'], [2])), /layerNorm: .* has no axis C/);
  });
});
