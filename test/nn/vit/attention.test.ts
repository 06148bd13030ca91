import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { vitAttention } from '../../../src/nn/vit/attention.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { valueOf } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { vitAttentionComponent } from '../../../src/testing/conformance/components/vit-attention.js';
import { assertGolden } from '../resmlp/support.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';

describe('nn/vit/attention', () => {
  it('reproduces vit_attention.json (output, attention map, every gradient)', () => {
    const s = assertGolden('vit_attention', vitAttentionComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('has the official parameter names', () => {
    assert.deepEqual(parameterPaths(vitAttention({ heads: 2 }).init(key(0), { C: 4 })).sort(), ['proj.bias', 'proj.weight', 'qkv.bias', 'qkv.weight']);
  });

  it('each token attends with weights that sum to 1 over the tokens, per head; the map is emitted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 }), (heads, d, n, seed) => {
        const layer = vitAttention({ heads });
        const c = heads * d;
        const x = fromArray(Float64Array.from({ length: 2 * n * c }, (_, i) => Math.sin(seed + i)), ['B', 'N', 'C'], [2, n, c]) as Tokens;
        const { emitted } = runLayer(layer, layer.init(key(seed), { C: c }), x);
        const a = emitted['attention']!;
        assert.deepEqual(a.sizes, [2, heads, n, n]);
        const v = valueOf(a);
        for (let row = 0; row < 2 * heads * n; row++) {
          const sum = v.subarray(row * n, (row + 1) * n).reduce((p, q) => p + q, 0);
          assert.ok(Math.abs(sum - 1) < 1e-12, `row ${row} sums to ${sum}`);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('refuses heads that do not divide the channels', () => {
    assert.throws(() => vitAttention({ heads: 3 }).init(key(0), { C: 4 }), /3 heads must divide the 4 channels of axis C/);
  });
});
