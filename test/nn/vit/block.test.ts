import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray } from '../../../src/ops/sources.js';
import { valueOf } from '../../../src/runtime/interpret.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import { vitBlock } from '../../../src/nn/vit/block.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { key } from '../../../src/runtime/prng.js';
import { vitBlockComponent } from '../../../src/testing/conformance/components/vit-block.js';
import { assertGolden } from '../resmlp/support.js';

describe('nn/vit/block', () => {
  it('reproduces vit_block.json (output, attention of LN(x), every gradient)', () => {
    const s = assertGolden('vit_block', vitBlockComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('has the official parameter names and an MLP of int(C · mlp_ratio)', () => {
    const p = vitBlock({ heads: 2, mlpRatio: 3 }).init(key(0), { C: 6 });
    assert.deepEqual(parameterPaths(p).sort(), ['attn.proj.bias', 'attn.proj.weight', 'attn.qkv.bias', 'attn.qkv.weight', 'mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight', 'norm1.bias', 'norm1.weight', 'norm2.bias', 'norm2.weight']);
    assert.deepEqual(p.mlp.fc1.weight.sizes, [18, 6]);
  });

  it('has no notion of position: permuting the tokens permutes the output', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n })),
        fc.integer({ min: 0, max: 1000 }),
        (perm, seed) => {
          const n = perm.length;
          const layer = vitBlock({ heads: 2 });
          const c = 4;
          const p = layer.init(key(seed), { C: c });
          const data = Array.from({ length: n * c }, (_, i) => Math.sin(seed + 1.7 * i));
          const permuted = perm.flatMap((t) => data.slice(t * c, (t + 1) * c));
          const y = valueOf(layer.apply(p, fromArray(data, ['B', 'N', 'C'], [1, n, c]) as Tokens));
          const yp = valueOf(layer.apply(p, fromArray(permuted, ['B', 'N', 'C'], [1, n, c]) as Tokens));
          perm.forEach((t, k) => {
            for (let j = 0; j < c; j++) assert.ok(Math.abs(yp[k * c + j]! - y[t * c + j]!) < 1e-12, `token ${k} (was ${t}), channel ${j}`);
          });
        },
      ),
      { numRuns: 20 },
    );
  });
});
