import { strict as assert } from 'node:assert';
import { resmlp, resmlpS12, resmlpTinyMnist, resmlpNumPatches, type ResMlpParams } from '../../../src/nn/resmlp/resmlp.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { crossEntropy } from '../../../src/ops/losses.js';
import { evaluate, valueOf } from '../../../src/runtime/interpret.js';
import { valueAndGrad } from '../../../src/autodiff/grad.js';
import { key } from '../../../src/runtime/prng.js';
import { resmlpModelComponent } from '../../../src/testing/conformance/components/resmlp-model.js';
import { assertGolden, checkTreeGradient, randomArray, randomTree, valuesByPath } from './support.js';
import type { Tensor } from '../../../src/ir/tensor.js';

describe('nn/resmlp/resmlp (model)', () => {
  it('reproduces resmlp_model.json (logits and every gradient)', () => {
    const s = assertGolden('resmlp_model', resmlpModelComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('has the official parameter names and shapes; the configs are the paper\'s', () => {
    const model = resmlp({ ...resmlpTinyMnist, depth: 2 });
    const p = model.init(key(0), {});
    const paths = parameterPaths(p);
    for (const name of ['patch_embed.proj.weight', 'patch_embed.proj.bias', 'blocks.0.attn.weight', 'blocks.1.mlp.fc2.bias', 'blocks.1.gamma_2', 'norm.alpha', 'norm.beta', 'head.weight', 'head.bias']) {
      assert.ok(paths.includes(name), `${name} in [${paths.join(', ')}]`);
    }
    assert.equal(paths.length, 4 + 2 * 12 + 2);
    assert.deepEqual(p.patch_embed.proj.weight.sizes, [32, 1, 4, 4]);
    assert.deepEqual(p.blocks[0]!.attn.weight.sizes, [49, 49]);
    assert.deepEqual(p.head.weight.sizes, [10, 32]);
    assert.equal(resmlpNumPatches(resmlpS12), 196);
    assert.deepEqual([resmlpS12.embedDim, resmlpS12.depth, resmlpS12.patchSize, resmlpS12.initScale], [384, 12, 16, 0.1]);
    // Init: patch conv uniform in ±1/√(C·p·p) (PyTorch's default), layer scale init_scale, head zero bias.
    const v = valuesByPath(p);
    const bound = 1 / Math.sqrt(16);
    assert.ok(v['patch_embed.proj.weight']!.every((w) => Math.abs(w) <= bound) && v['patch_embed.proj.bias']!.every((w) => Math.abs(w) <= bound));
    assert.ok(v['blocks.1.gamma_1']!.every((g) => g === 0.1));
    assert.ok(v['head.bias']!.every((g) => g === 0));
    assert.deepEqual(valuesByPath(model.init(key(0), {})), v, 'deterministic per key');
    assert.notDeepEqual(valuesByPath(model.init(key(1), {}))['blocks.0.attn.weight'], v['blocks.0.attn.weight']);
  });

  it('numbers tokens row-major: token n = i·(W/p) + j', () => {
    const model = resmlp({ imgSize: [4, 6], patchSize: 2, inChans: 1, embedDim: 1, depth: 0, numClasses: 1, initScale: 0.1 });
    const p = model.init(key(0), {});
    const ones = { ...p, patch_embed: { proj: { weight: fromArray([1, 0, 0, 0], ['E', 'C', 'KH', 'KW'], [1, 1, 2, 2]), bias: fromArray([0], ['E'], [1]) } } };
    const x = fromArray(Array.from({ length: 24 }, (_, i) => i), ['B', 'C', 'H', 'W'], [1, 1, 4, 6]);
    // Each token reads the top-left pixel of its patch: rows 0, 2 and columns 0, 2, 4.
    assert.deepEqual(Array.from(valueOf(model.embed(ones, x))), [0, 2, 4, 12, 14, 16]);
  });

  it('gradients of a tiny model match finite differences', () => {
    const model = resmlp({ imgSize: 4, patchSize: 2, inChans: 2, embedDim: 3, depth: 1, numClasses: 2, initScale: 0.1 });
    const p = randomTree(model.init(key(3), {}), 4);
    const r = checkTreeGradient((t: ResMlpParams, x) => model.apply(t, x as never), p, randomArray(['B', 'C', 'H', 'W'], [2, 2, 4, 4], 5));
    assert.ok(r.ok, r.message);
  });

  it('the tiny MNIST config runs forward and backward on two 28×28 images', () => {
    const model = resmlp(resmlpTinyMnist);
    const params = model.init(key(0), {});
    const x = fromArray(randomArray(['B', 'C', 'H', 'W'], [2, 1, 28, 28], 1).data.map(Math.abs), ['B', 'C', 'H', 'W'], [2, 1, 28, 28]);
    const labels = fromArray([3, 7], ['B'], [2]);
    const [loss, grads] = valueAndGrad((p: ResMlpParams) => crossEntropy(model.apply(p, x) as Tensor<['B', 'K']>, labels, 'K'))(params);
    const v = evaluate({ loss, grads });
    const l = v.loss.data[0]!;
    assert.ok(Number.isFinite(l) && Math.abs(l - Math.log(10)) < 0.5, `loss ${l} near log 10 at init`);
    const g = valuesByPath(grads);
    for (const [path, data] of Object.entries(g)) assert.ok(data.every(Number.isFinite), path);
    assert.ok(g['head.weight']!.some((d) => d !== 0) && g['blocks.0.attn.weight']!.some((d) => d !== 0) && g['patch_embed.proj.weight']!.some((d) => d !== 0));
    assert.equal(Object.keys(g).length, parameterPaths(params).length);
  });
});
