import { strict as assert } from 'node:assert';
import { xcaBlock } from '../../../src/nn/xcit/xca-block.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

describe('nn/xcit/xca-block', () => {
  it('reproduces xcablock.json (eval; output and every gradient)', () => {
    expectAllPass(golden('xcablock'), 27);
  });

  it('reproduces an independent numpy XCABlock: mlp_ratio 3, random gammas, 3x2 grid', () => {
    expectAllPass(variant('xcablock'), 2);
  });

  it('names its parameters as the official state_dict; gammas = eta, temperature = 1', () => {
    const p = xcaBlock({ heads: 2, mlpRatio: 3, eta: 0.5 }).init(key(0), { C: 4 });
    const paths = parameterPaths(p);
    for (const name of ['gamma1', 'gamma2', 'gamma3', 'norm1.weight', 'norm3.bias', 'attn.temperature', 'attn.qkv.weight', 'mlp.fc1.weight', 'local_mp.conv1.weight', 'local_mp.bn.running_var']) {
      assert.ok(paths.includes(name), name);
    }
    assert.equal(paths.length, 27);
    assert.deepEqual(p.mlp.fc1.weight.sizes, [12, 4]);
    const v = evaluate({ g: p.gamma3, t: p.attn.temperature, w: p.norm2.weight });
    assert.deepEqual(Array.from(v.g.data), [0.5, 0.5, 0.5, 0.5]);
    assert.deepEqual(Array.from(v.t.data), [1, 1]);
    assert.deepEqual(Array.from(v.w.data), [1, 1, 1, 1]);
  });

  it('in training emits its attention map and LPI BatchNorm statistics by path', () => {
    const layer = xcaBlock({ heads: 2, grid: { H: 2, W: 3 } });
    const p = layer.init(key(1), { C: 4 });
    const { emitted } = runLayer(layer, p, fromArray(randomData(1, 2 * 6 * 4), ['B', 'N', 'C'], [2, 6, 4]), { training: true });
    assert.deepEqual(Object.keys(emitted).sort(), ['attn.attention', 'local_mp.bn.num_batches_tracked', 'local_mp.bn.running_mean', 'local_mp.bn.running_var']);
  });

  it('drop path needs a key in training and is the identity in evaluation', () => {
    const layer = xcaBlock({ heads: 1, dropPath: 0.5 });
    const p = layer.init(key(1), { C: 2 });
    const x = fromArray(randomData(2, 2 * 4 * 2), ['B', 'N', 'C'], [2, 4, 2]);
    assert.throws(() => runLayer(layer, p, x, { training: true }), /needs a key/);
    const a = evaluate(runLayer(layer, p, x).y).data;
    const b = evaluate(runLayer(xcaBlock({ heads: 1 }), p, x).y).data;
    assert.deepEqual(Array.from(a), Array.from(b));
    const t1 = evaluate(runLayer(layer, p, x, { training: true, key: key(5) }).y).data;
    const t2 = evaluate(runLayer(layer, p, x, { training: true, key: key(5) }).y).data;
    assert.deepEqual(Array.from(t1), Array.from(t2));
  });

  it('has correct gradients for x and every trainable parameter (finite differences)', () => {
    const layer = xcaBlock({ heads: 2, mlpRatio: 1, grid: { H: 1, W: 3 } });
    const p = layer.init(key(2), { C: 4 });
    const { local_mp: lp, ...rest } = randomizeParams(p, 3, 0.4);
    const { bn, ...convs } = lp;
    const { values, rebuild } = leavesOf({ ...rest, convs, bnWeight: bn.weight, bnBias: bn.bias });
    const stats = { ...p.local_mp.bn, running_var: fromArray([1.2, 0.8, 1.1, 0.9], ['C'], [4]) };
    const x = nd(['B', 'N', 'C'], [1, 3, 4], randomData(4, 12));
    const f = (xt: Tensor, ...ps: Tensor[]) => {
      const { convs: c, bnWeight, bnBias, ...r } = rebuild(ps);
      return layer.apply({ ...r, local_mp: { ...c, bn: { ...stats, weight: bnWeight, bias: bnBias } } }, xt as Tokens);
    };
    const result = checkGradient(f, [x, ...values]);
    assert.ok(result.ok, result.message);
  });
});
