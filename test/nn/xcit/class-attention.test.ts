import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { classAttention } from '../../../src/nn/xcit/class-attention.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

describe('nn/xcit/class-attention', () => {
  it('reproduces class_attention.json (output, cls attention, every gradient)', () => {
    expectAllPass(golden('class_attention'), 8);
  });

  it('reproduces an independent numpy ClassAttention with 4 heads and 6 tokens', () => {
    expectAllPass(variant('class_attention'), 3);
  });

  it('names its parameters as the official state_dict', () => {
    assert.deepEqual(parameterPaths(classAttention({ heads: 2 }).init(key(0), { C: 4 })).sort(), ['proj.bias', 'proj.weight', 'qkv.bias', 'qkv.weight']);
  });

  it('copies the patch rows from its input and emits a cls attention over all tokens whose rows sum to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (b, n, heads, d, seed) => {
        const c = heads * d;
        const layer = classAttention({ heads });
        const params = randomizeParams(layer.init(key(seed), { C: c }), seed, 1);
        const xs = randomData(seed + 1, b * n * c);
        const { y, emitted } = runLayer(layer, params, fromArray(xs, ['B', 'N', 'C'], [b, n, c]));
        const v = evaluate({ y, a: emitted['attention']! });
        assert.deepEqual(v.y.sizes, [b, n, c]);
        for (let bb = 0; bb < b; bb++) for (let t = 1; t < n; t++) for (let k = 0; k < c; k++) assert.equal(v.y.data[(bb * n + t) * c + k], xs[(bb * n + t) * c + k]);
        assert.deepEqual(v.a.axes, ['B', 'Hd', 'N']);
        assert.deepEqual(v.a.sizes, [b, heads, n]);
        for (let r = 0; r < b * heads; r++) {
          const row = v.a.data.slice(r * n, (r + 1) * n);
          assert.ok(row.every((p) => p >= 0) && Math.abs(row.reduce((s, p) => s + p, 0) - 1) < 1e-12);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('has correct gradients for x and every parameter (finite differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1e6 }), (b, n, heads, d, seed) => {
        const c = heads * d;
        const layer = classAttention({ heads });
        const { values, rebuild } = leavesOf(randomizeParams(layer.init(key(seed), { C: c }), seed));
        const x = nd(['B', 'N', 'C'], [b, n, c], randomData(seed + 2, b * n * c));
        const result = checkGradient((xt: Tensor, ...ps: Tensor[]) => layer.apply(rebuild(ps), xt as Tokens), [x, ...values], { seed });
        assert.ok(result.ok, result.message);
      }),
      { numRuns: 4 },
    );
  });
});
