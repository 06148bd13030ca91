import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { conv2d } from '../../src/nn/index.js';
import { key } from '../../src/runtime/prng.js';

describe('nn/conv2d', () => {
  it('initialises like PyTorch: weight and bias uniform in ±1/sqrt(fan_in), deterministic per key', () => {
    const layer = conv2d('C', 'D', { kernel: 3 });
    const p = sg.evaluate(layer.init(key(5), { C: 4, D: 8 }));
    const bound = 1 / Math.sqrt(4 * 9);
    assert.ok([...p.weight.data, ...p.bias!.data].every((v) => Math.abs(v) < bound));
    assert.ok(Math.max(...p.weight.data.map(Math.abs)) > 0.8 * bound);
    assert.deepEqual(p.weight.data, sg.evaluate(layer.init(key(5), { C: 4, D: 8 })).weight.data);
  });

  it('maps channel axis C to D with PyTorch weight layout and bias', () => {
    const layer = conv2d('C', 'D', { kernel: 3, padding: 1 });
    const p = layer.init(key(0), { C: 2, D: 4 });
    assert.deepEqual(p.weight.axes, ['D', 'C', 'KH', 'KW']);
    assert.deepEqual(p.weight.sizes, [4, 2, 3, 3]);
    const y = layer.apply(p, sg.fromArray(new Float64Array(2 * 2 * 5 * 5).fill(1), ['B', 'C', 'H', 'W'], { B: 2, C: 2, H: 5, W: 5 }));
    assert.deepEqual(y.axes, ['B', 'D', 'H', 'W']);
    assert.deepEqual(y.sizes, [2, 4, 5, 5]);
  });

  it('a depthwise C -> C convolution keeps the axis name and primes the weight', () => {
    const layer = conv2d('C', 'C', { kernel: 3, padding: 1, groups: 3 });
    const p = layer.init(key(1), { C: 3 });
    assert.deepEqual(p.weight.axes, ["C'", 'C', 'KH', 'KW']);
    assert.deepEqual(p.weight.sizes, [3, 1, 3, 3]);
    const x = sg.fromArray(Array.from({ length: 3 * 16 }, (_, i) => i), ['C', 'H', 'W'], { C: 3, H: 4, W: 4 });
    const y = sg.valueOf(layer.apply(p, x));
    // the centre pixel of channel c only sees channel c
    const w = sg.valueOf(p.weight);
    const c = 2;
    let expected = sg.valueOf(p.bias!)[c]!;
    for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) expected += w[c * 9 + u * 3 + v]! * (c * 16 + (1 + u - 1) * 4 + (1 + v - 1));
    assert.ok(Math.abs(y[c * 16 + 1 * 4 + 1]! - expected) < 1e-12);
  });
});
