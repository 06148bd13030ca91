import { strict as assert } from 'node:assert';
import { xcit, xcitMnist, xcitS12, xcitT12, type XcitConfig } from '../../../src/nn/xcit/xcit.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths, withUpdates } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { crossEntropy } from '../../../src/ops/losses.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { valueAndGrad } from '../../../src/autodiff/grad.js';
import { flattenTree } from '../../../src/ir/tree.js';
import { isTensor, type Tensor } from '../../../src/ir/tensor.js';
import type { NDArray } from '../../../src/runtime/ndarray.js';
import { randomData } from './support.js';

/** Trainable parameters (BatchNorm buffers excluded), counted from a symbolic init: nothing is evaluated. */
function countParameters(config: XcitConfig): number {
  const p = xcit(config).init(key(0));
  const paths = parameterPaths(p);
  return flattenTree(p, isTensor).leaves.reduce((n, t, i) => (/running_|num_batches/.test(paths[i]!) ? n : n + t.numel), 0);
}

const images = (b: number, seed: number) => fromArray(randomData(seed, b * 28 * 28), ['B', 'Cin', 'H', 'W'], [b, 1, 28, 28]);

describe('nn/xcit/xcit', () => {
  it('the paper configs have the official sizes: T12 6.7M and S12 26.3M parameters, as timm reports (symbolic init, not evaluated)', () => {
    assert.equal(countParameters(xcitT12), 6_716_272);
    assert.equal(countParameters(xcitS12), 26_253_304);
    const p = xcit(xcitT12).init(key(0));
    assert.equal(p.blocks.length, 12);
    assert.equal(p.cls_attn_blocks.length, 2);
    assert.deepEqual(p.blocks[0]!.attn.temperature.sizes, [4, 1, 1]);
    assert.deepEqual(xcit(xcitS12).init(key(0)).blocks[11]!.attn.temperature.sizes, [8, 1, 1]);
    assert.deepEqual(xcit(xcitT12).grid, { H: 14, W: 14 });
    const paths = parameterPaths(p);
    for (const name of ['cls_token', 'patch_embed.proj.0.0.weight', 'patch_embed.proj.6.1.running_var', 'pos_embeder.token_projection.weight', 'blocks.11.local_mp.conv2.bias', 'cls_attn_blocks.1.mlp.fc2.weight', 'norm.weight', 'head.bias']) {
      assert.ok(paths.includes(name), name);
    }
  });

  it('runs the T12 structure (patch 16, tokens_norm) at tiny sizes', () => {
    const tiny: XcitConfig = { ...xcitT12, imgSize: [32, 48], embedDim: 16, depth: 1, numClasses: 3, posHiddenDim: 4 };
    const model = xcit(tiny);
    assert.deepEqual(model.grid, { H: 2, W: 3 });
    const p = model.init(key(1));
    const y = evaluate(model.apply(p, fromArray(randomData(2, 2 * 3 * 32 * 48), ['B', 'Cin', 'H', 'W'], [2, 3, 32, 48])));
    assert.deepEqual(y.sizes, [2, 3]);
    assert.ok(y.data.every(Number.isFinite));
  });

  it('the tiny MNIST XCiT runs forward and backward on a batch of two 28x28x1 images', () => {
    const model = xcit(xcitMnist);
    const p = model.init(key(7));
    const x = images(2, 3);
    const labels = fromArray([3, 8], ['B'], [2]);
    let emitted: Readonly<Record<string, Tensor>> = {};
    const [loss, grads] = valueAndGrad((params: typeof p) => {
      const r = runLayer(model, params, x, { training: true });
      emitted = r.emitted;
      return crossEntropy(r.y, labels, 'K');
    })(p);
    const v = evaluate({ loss, grads, emitted });
    assert.ok(Number.isFinite(v.loss.data[0]!) && v.loss.data[0]! > 0);
    // Every trainable parameter gets a finite gradient, and some of each kind are non-zero.
    const g = flattenTree(v.grads, (t: unknown): t is NDArray => typeof t === 'object' && t !== null && (t as NDArray).data instanceof Float64Array);
    const paths = parameterPaths(p);
    g.leaves.forEach((t, i) => assert.ok(t.data.every(Number.isFinite), paths[i]));
    for (const name of ['cls_token', 'patch_embed.proj.0.0.weight', 'blocks.0.attn.temperature', 'blocks.1.local_mp.conv1.weight', 'cls_attn_blocks.1.gamma2', 'head.weight']) {
      const t = g.leaves[paths.indexOf(name)]!;
      assert.ok(t.data.some((d) => d !== 0), `${name} has a zero gradient`);
    }
    // Attention maps of every block are retrievable by path; their rows sum to 1.
    const maps = Object.keys(v.emitted).filter((k) => k.endsWith('.attention')).sort();
    assert.deepEqual(maps, ['blocks.0.attn.attention', 'blocks.1.attn.attention', 'cls_attn_blocks.0.attn.attention', 'cls_attn_blocks.1.attn.attention']);
    const xcaMap = v.emitted['blocks.1.attn.attention']!;
    assert.deepEqual(xcaMap.sizes, [2, 4, 8, 8]);
    const clsMap = v.emitted['cls_attn_blocks.0.attn.attention']!;
    assert.deepEqual(clsMap.sizes, [2, 4, 50]);
    for (const m of [xcaMap, clsMap]) {
      const n = m.sizes[m.sizes.length - 1]!;
      for (let r = 0; r < m.data.length / n; r++) assert.ok(Math.abs(m.data.slice(r * n, (r + 1) * n).reduce((s, a) => s + a, 0) - 1) < 1e-12);
    }
    // Training emitted the BatchNorm statistics of the stem and of every LPI, which fold back into the parameters.
    const next = evaluate(withUpdates(p, emitted));
    assert.equal(next.blocks[1]!.local_mp.bn.num_batches_tracked.data[0], 1);
    assert.equal((next.patch_embed.proj[2] as unknown as [unknown, { num_batches_tracked: NDArray }])[1].num_batches_tracked.data[0], 1);
  });

  it('initialises deterministically from the key, as the official _init_weights', () => {
    const model = xcit(xcitMnist);
    const a = evaluate(model.init(key(11)));
    const b = evaluate(model.init(key(11)));
    const c = evaluate(model.init(key(12)));
    const flat = (t: unknown) => flattenTree(t, (x: unknown): x is NDArray => typeof x === 'object' && x !== null && (x as NDArray).data instanceof Float64Array).leaves.flatMap((l) => Array.from(l.data));
    assert.deepEqual(flat(a), flat(b));
    assert.notDeepEqual(flat(a), flat(c));
    const w = Array.from(a.blocks[0]!.attn.qkv.weight.data);
    const sd = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    assert.ok(sd > 0.015 && sd < 0.025, `qkv std ${sd}`);
    assert.ok(Array.from(a.blocks[0]!.attn.qkv.bias!.data).every((x) => x === 0));
    assert.ok(Array.from(a.blocks[1]!.gamma3.data).every((x) => x === xcitMnist.eta));
    assert.ok(Array.from(a.norm.weight.data).every((x) => x === 1));
    assert.ok(Array.from(a.head.bias.data).every((x) => x === 0));
    assert.ok(Array.from(a.cls_token.data).some((x) => x !== 0));
    // The two blocks get different weights.
    assert.notDeepEqual(Array.from(a.blocks[0]!.mlp.fc1.weight.data), Array.from(a.blocks[1]!.mlp.fc1.weight.data));
  });

  it('evaluation is deterministic and independent of the batch companions', () => {
    const model = xcit(xcitMnist);
    const p = model.init(key(3));
    const two = evaluate(model.apply(p, images(2, 5))).data;
    const one = evaluate(model.apply(p, fromArray(randomData(5, 2 * 28 * 28).slice(0, 28 * 28), ['B', 'Cin', 'H', 'W'], [1, 1, 28, 28]))).data;
    one.forEach((v, i) => assert.ok(Math.abs(v - two[i]!) < 1e-12));
  });
});
