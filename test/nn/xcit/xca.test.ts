import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { xca, xcaAttention } from '../../../src/nn/xcit/xca.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { topoSort } from '../../../src/ir/graph.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import { ShapeError } from '../../../src/shape/errors.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

describe('nn/xcit/xca', () => {
  it('reproduces xca.json (output, attention map, every gradient)', () => {
    expectAllPass(golden('xca'), 9);
  });

  it('reproduces an independent numpy XCA with 3 heads and 7 tokens', () => {
    expectAllPass(variant('xca'), 3);
  });

  it('names its parameters as the official state_dict, in PyTorch layouts', () => {
    const p = xca({ heads: 4 }).init(key(0), { C: 16 });
    assert.deepEqual(parameterPaths(p).sort(), ['proj.bias', 'proj.weight', 'qkv.bias', 'qkv.weight', 'temperature']);
    assert.deepEqual(p.temperature.sizes, [4, 1, 1]);
    assert.deepEqual(p.qkv.weight.sizes, [48, 16]);
    assert.deepEqual(p.proj.weight.axes, ["C'", 'C']);
    const v = evaluate(p);
    assert.deepEqual(Array.from(v.temperature.data), [1, 1, 1, 1]);
    assert.ok(Array.from(v.qkv.bias!.data).every((b) => b === 0));
    assert.throws(() => xca({ heads: 3 }).init(key(0), { C: 16 }), ShapeError);
  });

  it('is equivariant to permutations of the tokens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (b, n, heads, d, seed) => {
        const c = heads * d;
        const layer = xca({ heads });
        const params = randomizeParams(layer.init(key(seed), { C: c }), seed);
        const xs = randomData(seed + 1, b * n * c);
        // A permutation of the tokens drawn from the seed.
        const perm = Array.from({ length: n }, (_, i) => i).sort((i, j) => Math.sin(seed + i * 7.1) - Math.sin(seed + j * 7.1));
        const permuted = new Float64Array(xs.length);
        for (let bb = 0; bb < b; bb++) for (let t = 0; t < n; t++) for (let k = 0; k < c; k++) permuted[(bb * n + t) * c + k] = xs[(bb * n + perm[t]!) * c + k]!;
        const y = evaluate(layer.apply(params, fromArray(xs, ['B', 'N', 'C'], [b, n, c]))).data;
        const yp = evaluate(layer.apply(params, fromArray(permuted, ['B', 'N', 'C'], [b, n, c]))).data;
        for (let bb = 0; bb < b; bb++)
          for (let t = 0; t < n; t++)
            for (let k = 0; k < c; k++) {
              const want = y[(bb * n + perm[t]!) * c + k]!;
              assert.ok(Math.abs(yp[(bb * n + t) * c + k]! - want) <= 1e-12 * (1 + Math.abs(want)));
            }
      }),
      { numRuns: 15 },
    );
  });

  it('emits attention maps [B, h, d, d] whose rows sum to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (heads, d, seed) => {
        const c = heads * d;
        const layer = xca({ heads });
        const params = randomizeParams(layer.init(key(seed), { C: c }), seed, 1.5);
        const { emitted } = runLayer(layer, params, fromArray(randomData(seed, 2 * 5 * c), ['B', 'N', 'C'], [2, 5, c]));
        const a = evaluate(emitted['attention']!);
        assert.deepEqual(a.axes, ['B', 'Hd', 'D', 'E']);
        assert.deepEqual(a.sizes, [2, heads, d, d]);
        for (let r = 0; r < a.data.length / d; r++) {
          const row = a.data.slice(r * d, (r + 1) * d);
          assert.ok(row.every((v) => v >= 0));
          assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('emits under its path inside a model', () => {
    const layer = xca({ heads: 2 });
    const p = layer.init(key(1), { C: 4 });
    const emitted: Record<string, Tensor> = {};
    layer.apply(p, fromArray(randomData(2, 12), ['B', 'N', 'C'], [1, 3, 4]), { training: false, key: undefined, path: ['blocks', '3', 'attn'], emit: (k, v) => (emitted[k] = v) });
    assert.deepEqual(Object.keys(emitted), ['blocks.3.attn.attention']);
  });

  it('is linear in N: no tensor of the program has N² elements', () => {
    const n = 64;
    const layer = xca({ heads: 2 });
    const p = layer.init(key(3), { C: 8 });
    const y = layer.apply(p, fromArray(randomData(4, n * 8), ['B', 'N', 'C'], [1, n, 8]));
    const biggest = Math.max(...topoSort([y]).map((t) => t.numel));
    assert.ok(biggest <= 3 * 8 * n, `largest intermediate has ${biggest} elements`);
    assert.ok(biggest < n * n);
  });

  it('has correct gradients for x and every parameter (finite differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1e6 }), (b, n, heads, d, seed) => {
        const c = heads * d;
        const layer = xca({ heads });
        const { values, rebuild } = leavesOf(randomizeParams(layer.init(key(seed), { C: c }), seed));
        const x = nd(['B', 'N', 'C'], [b, n, c], randomData(seed + 5, b * n * c));
        const result = checkGradient((xt, ...ps) => layer.apply(rebuild(ps), xt as Tokens), [x, ...values], { seed });
        assert.ok(result.ok, result.message);
      }),
      { numRuns: 4 },
    );
  });

  it('the attention map ignores a common rescaling of q over the tokens (q is L2-normalised along N)', () => {
    const q = fromArray(randomData(8, 2 * 3 * 2 * 2), ['B', 'N', 'Hd', 'D'], [2, 3, 2, 2]);
    const k = fromArray(randomData(9, 2 * 3 * 2 * 2), ['B', 'N', 'Hd', 'D'], [2, 3, 2, 2]);
    const t = fromArray([0.5, 2], ['Hd', '1a', '1b'], [2, 1, 1]);
    const a = evaluate(xcaAttention(q, k, t)).data;
    // Scaling every token of q by 3 leaves q̂ (normalised over tokens) unchanged.
    const q3 = fromArray(evaluate(q).data.map((v) => 3 * v), ['B', 'N', 'Hd', 'D'], [2, 3, 2, 2]);
    const a3 = evaluate(xcaAttention(q3, k, t)).data;
    a.forEach((v, i) => assert.ok(Math.abs(v - a3[i]!) < 1e-14));
  });
});
