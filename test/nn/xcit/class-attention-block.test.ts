import { strict as assert } from 'node:assert';
import { classAttentionBlock } from '../../../src/nn/xcit/class-attention-block.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { layerNorm } from '../../../src/ops/normalization.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

describe('nn/xcit/class-attention-block', () => {
  it('reproduces class_attention_block.json, tokens_norm false and true', () => {
    expectAllPass(golden('class_attention_block'), 34);
  });

  it('reproduces an independent numpy ClassAttentionBlock with mlp_ratio 3 and random gammas', () => {
    expectAllPass(variant('class_attention_block'), 4);
  });

  it('names its parameters as the official state_dict; gammas start at eta, MLP hidden = int(C · ratio)', () => {
    const p = classAttentionBlock({ heads: 2, mlpRatio: 3, eta: 0.1 }).init(key(0), { C: 6 });
    assert.deepEqual(parameterPaths(p).sort(), [
      'attn.proj.bias', 'attn.proj.weight', 'attn.qkv.bias', 'attn.qkv.weight', 'gamma1', 'gamma2',
      'mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight', 'norm1.bias', 'norm1.weight', 'norm2.bias', 'norm2.weight',
    ]);
    assert.deepEqual(p.mlp.fc1.weight.sizes, [18, 6]);
    assert.deepEqual(Array.from(evaluate(p.gamma1).data), new Array(6).fill(0.1));
  });

  it('doubles the patch rows as the official code does: y[:,1:] = 2·x2[:,1:]', () => {
    const [b, n, c] = [2, 4, 6];
    for (const tokensNorm of [false, true]) {
      const layer = classAttentionBlock({ heads: 2, tokensNorm });
      const p = randomizeParams(layer.init(key(1), { C: c }), 4, 0.5);
      const xs = randomData(7, b * n * c);
      const x = fromArray(xs, ['B', 'N', 'C'], [b, n, c]);
      const y = evaluate(layer.apply(p, x)).data;
      // x1[:,1:] = x[:,1:] + gamma1 ⊙ LN(x; norm1)[:,1:] (class attention copies its normalised input rows).
      const u = evaluate(layer.apply({ ...p, gamma2: fromArray(new Float64Array(c), ['C'], [c]) } as typeof p, x)).data;
      const v = evaluate({ ln1: layerNorm(x, 'C', 1e-6), g1: p.gamma1, w1: p.norm1.weight, b1: p.norm1.bias, w2: p.norm2.weight, b2: p.norm2.bias });
      for (let bb = 0; bb < b; bb++)
        for (let t = 1; t < n; t++) {
          const row = Array.from({ length: c }, (_, k) => xs[(bb * n + t) * c + k]! + v.g1.data[k]! * (v.ln1.data[(bb * n + t) * c + k]! * v.w1.data[k]! + v.b1.data[k]!));
          const x2 = tokensNorm ? normalise(row).map((z, k) => z * v.w2.data[k]! + v.b2.data[k]!) : row;
          for (let k = 0; k < c; k++) {
            assert.ok(Math.abs(y[(bb * n + t) * c + k]! - 2 * x2[k]!) < 1e-12);
            assert.equal(u[(bb * n + t) * c + k], y[(bb * n + t) * c + k]);
          }
        }
    }
  });

  it('has correct gradients for x and every parameter, both variants (finite differences)', () => {
    for (const tokensNorm of [false, true]) {
      const layer = classAttentionBlock({ heads: 2, mlpRatio: 1.5, tokensNorm });
      const { values, rebuild } = leavesOf(randomizeParams(layer.init(key(2), { C: 4 }), 9));
      const x = nd(['B', 'N', 'C'], [2, 3, 4], randomData(11, 24));
      const result = checkGradient((xt: Tensor, ...ps: Tensor[]) => runLayer(layer, rebuild(ps), xt as Tokens).y, [x, ...values]);
      assert.ok(result.ok, result.message);
    }
  });
});

function normalise(row: number[]): number[] {
  const m = row.reduce((s, v) => s + v, 0) / row.length;
  const v = row.reduce((s, x) => s + (x - m) ** 2, 0) / row.length;
  return row.map((x) => (x - m) / Math.sqrt(v + 1e-6));
}
