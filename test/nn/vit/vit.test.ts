import { strict as assert } from 'node:assert';
import { vit, vitTinyMnist } from '../../../src/nn/vit/vit.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { valueOf } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { vitModelComponent } from '../../../src/testing/conformance/components/vit-model.js';
import { assertGolden } from '../resmlp/support.js';

describe('nn/vit/vit (model)', () => {
  it('reproduces vit_model.json (CLS output, last self-attention, intermediate layers, interpolated crops, every gradient)', () => {
    const s = assertGolden('vit_model', vitModelComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
    assert.ok(s.lines > 40);
  });

  it('has the official parameter names; the MNIST config is 7×7 patches + CLS at width 32', () => {
    const p = vit(vitTinyMnist).init(key(0), {});
    const paths = parameterPaths(p);
    for (const name of ['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.0.norm1.weight', 'blocks.3.attn.qkv.weight', 'blocks.3.mlp.fc2.bias', 'norm.weight', 'norm.bias']) assert.ok(paths.includes(name), `${name} in [${paths.join(', ')}]`);
    assert.equal(paths.length, 2 + 2 + 4 * 12 + 2);
    assert.deepEqual(p.pos_embed.sizes, [1, 50, 32]);
  });

  it('forward is the CLS token of the last intermediate layer; local crops and non-square images run through the same parameters', () => {
    const model = vit({ imgSize: 8, patchSize: 2, inChans: 1, embedDim: 4, depth: 2, heads: 2 });
    const p = model.init(key(2), {});
    const x = fromArray(Float64Array.from({ length: 2 * 64 }, (_, i) => Math.cos(i)), ['B', 'C', 'H', 'W'], [2, 1, 8, 8]);
    const y = valueOf(model.apply(p, x));
    const last = valueOf(model.intermediateLayers(p, x, 1)[0]!);
    for (let b = 0; b < 2; b++) for (let c = 0; c < 4; c++) assert.equal(y[b * 4 + c], last[b * 17 * 4 + c]);
    assert.deepEqual(model.lastSelfAttention(p, x).sizes, [2, 2, 17, 17]);
    const crop = fromArray(new Float64Array(2 * 6 * 10), ['B', 'C', 'H', 'W'], [2, 1, 6, 10]);
    assert.deepEqual(model.lastSelfAttention(p, crop).sizes, [2, 2, 16, 16]);
    assert.throws(() => model.intermediateLayers(p, x, 3), /needs 1 ≤ n ≤ depth 2, got 3/);
  });

  it('refuses configurations whose heads do not divide the width', () => {
    assert.throws(() => vit({ ...vitTinyMnist, heads: 3 }), /3 heads must divide the 32 channels/);
  });
});
