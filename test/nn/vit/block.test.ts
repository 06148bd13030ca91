import { strict as assert } from 'node:assert';
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
});
