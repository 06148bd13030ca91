import { strict as assert } from 'node:assert';
import { fourierFeatures, fourierPositions } from '../../../src/nn/xcit/fourier-positions.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { expectAllPass, golden, variant } from './support.js';

describe('nn/xcit/fourier-positions', () => {
  it('reproduces pos_encoding_fourier.json (float32 reference, within 1e-5)', () => {
    const worst = expectAllPass(golden('pos_encoding_fourier'), 5);
    assert.ok(worst < 2e-6, `worst ${worst}`);
  });

  it('reproduces an independent numpy float32 encoding on a 4x5 grid', () => {
    expectAllPass(variant('pos_encoding_fourier'), 3);
  });

  it('names its parameters as the official state_dict: token_projection [dim, 2·Dh, 1, 1]', () => {
    const p = fourierPositions({ hiddenDim: 8 }).init(key(0), { C: 6 });
    assert.deepEqual(parameterPaths(p).sort(), ['token_projection.bias', 'token_projection.weight']);
    assert.deepEqual(p.token_projection.weight.sizes, [6, 16, 1, 1]);
  });

  it('builds sin/cos features of (i+1)/(H+eps)·2π, rows first, then columns', () => {
    const f = evaluate(fourierFeatures(4, { H: 2, W: 3 }));
    assert.deepEqual(f.sizes, [2, 3, 8]);
    const ye = (2 / (2 + 1e-6)) * 2 * Math.PI;
    const xe = (1 / (3 + 1e-6)) * 2 * Math.PI;
    const at = (i: number, j: number, k: number) => f.data[(i * 3 + j) * 8 + k]!;
    assert.ok(Math.abs(at(1, 0, 0) - Math.sin(ye)) < 1e-15);
    assert.ok(Math.abs(at(1, 0, 1) - Math.cos(ye)) < 1e-15);
    assert.ok(Math.abs(at(1, 0, 2) - Math.sin(ye / 100)) < 1e-15);
    assert.ok(Math.abs(at(1, 0, 4) - Math.sin(xe)) < 1e-15);
    assert.ok(Math.abs(at(1, 0, 7) - Math.cos(xe / 100)) < 1e-15);
    const f32 = evaluate(fourierFeatures(4, { H: 2, W: 3 }, 10000, 'float32')).data;
    f.data.forEach((v, i) => assert.ok(Math.abs(v - f32[i]!) < 1e-6));
  });

  it('gives every batch element the same encoding, as tokens n = i·W + j', () => {
    const enc = fourierPositions({ hiddenDim: 4 });
    const p = enc.init(key(1), { C: 3 });
    const grid = { H: 2, W: 3 };
    const v = evaluate({ g: enc.encode(p, 2, grid), t: enc.tokens(p, 2, grid) });
    assert.deepEqual(v.t.sizes, [2, 6, 3]);
    assert.deepEqual(Array.from(v.t.data.slice(0, 18)), Array.from(v.t.data.slice(18)));
    assert.deepEqual(Array.from(v.t.data), Array.from(v.g.data));
  });
});
