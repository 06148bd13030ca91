import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { layerScale, parallel, preNorm, repeat, residual, serial, stateless } from '../../src/nn/combinators.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { mlp } from '../../src/nn/mlp.js';
import { runLayer, type Layer } from '../../src/nn/layer.js';
import { parameterPaths } from '../../src/nn/params.js';
import { affine } from '../../src/nn/resmlp/affine.js';
import { crossPatch } from '../../src/nn/resmlp/cross-patch.js';
import { resmlpBlock, type ResMlpBlockParams } from '../../src/nn/resmlp/resmlp-block.js';
import { xca } from '../../src/nn/xcit/xca.js';
import { fromArray } from '../../src/ops/sources.js';
import { mul } from '../../src/ops/elementwise.js';
import { evaluate, valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { assertClose, checkTreeGradient, randomArray, randomTree } from './resmlp/support.js';

type Tokens = ['B', 'N', 'C'];
const tokens = (s: { B: number; N: number; C: number }, seed: number): Tensor<Tokens> => fromArray(randomArray(['B', 'N', 'C'], [s.B, s.N, s.C], seed).data, ['B', 'N', 'C'], s);
// linear is generic in its leading axes; fixing them gives a Layer the combinators can infer shapes from.
const sq: Layer<LinearParams<'C', 'C'>, Tokens, Tokens> = linear('C', 'C');
const sizes = { B: 2, N: 3, C: 4 };

// example: xca-mixer
const channelAttention = residual(layerScale(preNorm(layerNorm('C', 1e-6), xca({ heads: 2 })), 'C', 1));
const tokenMixing = residual(layerScale(preNorm(affine('C'), crossPatch('N')), 'C', 0.1));
const channelMlp = residual(layerScale(preNorm(affine('C'), mlp('C', 'D')), 'C', 0.1));
export const xcaMixerBlock = serial(channelAttention, tokenMixing, channelMlp);
// end example

// example: resmlp-from-combinators
export const resmlpLike = serial(
  residual(layerScale(preNorm(affine('C'), crossPatch('N')), 'C', 0.1)),
  residual(layerScale(preNorm(affine('C'), mlp('C', 'D')), 'C', 0.1)),
);
// end example

describe('nn/combinators', () => {
  it('serial applies in order; parameters are an array with nn.Sequential paths (0.weight, 1.bias)', () => {
    const net = serial(sq, stateless((x: Tensor<Tokens>) => mul(x, 2)), sq);
    const p = randomTree(net.init(key(0), sizes), 1);
    assert.deepEqual(parameterPaths(p), ['0.bias', '0.weight', '2.bias', '2.weight']);
    const x = tokens(sizes, 2);
    const expected = sq.apply(p[2], mul(sq.apply(p[0], x), 2));
    assertClose(valueOf(net.apply(p, x)), valueOf(expected));
    assert.notDeepEqual(Array.from(valueOf(net.init(key(0), sizes)[0].weight)), Array.from(valueOf(net.init(key(0), sizes)[2].weight)), 'children get their own keys');
    assert.throws(() => (serial as unknown as () => unknown)(), /at least one layer/);
  });

  it('passes each child its path, so side outputs are named like parameters', () => {
    const probe = stateless((x: Tensor<Tokens>, ctx) => {
      ctx?.emit([...(ctx?.path ?? []), 'probe'].join('.'), x);
      return x;
    });
    const net = serial(sq, layerScale(preNorm(affine('C'), probe), 'C', 1), repeat(2, () => probe));
    const { emitted } = runLayer(net, net.init(key(0), sizes), tokens(sizes, 1));
    assert.deepEqual(Object.keys(emitted).sort(), ['1.inner.inner.probe', '2.0.probe', '2.1.probe']);
  });

  it('residual adds the input: x + f(x)', () => {
    const net = residual(sq);
    const p = randomTree(net.init(key(0), sizes), 1);
    const x = tokens(sizes, 2);
    const xv = valueOf(x);
    const fx = valueOf(sq.apply(p, x));
    assertClose(valueOf(net.apply(p, x)), Array.from(xv, (v, i) => v + fx[i]!));
  });

  it('layerScale multiplies by gamma over one axis, initialised to eta (paths gamma, inner.*)', () => {
    const net = layerScale(sq, 'C', 0.25);
    const p = net.init(key(0), sizes);
    assert.deepEqual(parameterPaths(p), ['gamma', 'inner.bias', 'inner.weight']);
    assert.deepEqual(Array.from(valueOf(p.gamma)), [0.25, 0.25, 0.25, 0.25]);
    const q = randomTree(p, 3);
    const x = tokens(sizes, 2);
    const g = valueOf(q.gamma);
    const fx = valueOf(sq.apply(q.inner, x));
    assertClose(valueOf(net.apply(q, x)), Array.from(fx, (v, i) => v * g[i % 4]!));
  });

  it('layer scale at zero makes a residual block the identity (property)', () => {
    const block = residual(layerScale(preNorm(affine('C'), mlp('C', 'D')), 'C', 0));
    fc.assert(
      fc.property(fc.record({ B: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 5 }), seed: fc.nat(1000) }), (s) => {
        const p = randomTree(block.init(key(s.seed), { ...s, D: 3 }), s.seed, 1);
        const x = tokens(s, s.seed + 1);
        assert.deepEqual(Array.from(valueOf(block.apply({ ...p, gamma: fromArray(new Array<number>(s.C).fill(0), ['C'], s) }, x))), Array.from(valueOf(x)));
      }),
      { numRuns: 20 },
    );
    // ... and the init with eta = 0 is already the identity.
    const x = tokens(sizes, 5);
    assert.deepEqual(Array.from(valueOf(block.apply(block.init(key(1), { ...sizes, D: 3 }), x))), Array.from(valueOf(x)));
  });

  it('preNorm normalises first: f(norm(x)) (paths norm.*, inner.*)', () => {
    const net = preNorm(layerNorm('C'), sq);
    const p = randomTree(net.init(key(0), sizes), 1);
    assert.deepEqual(parameterPaths(p), ['inner.bias', 'inner.weight', 'norm.bias', 'norm.weight']);
    const x = tokens(sizes, 2);
    assertClose(valueOf(net.apply(p, x)), valueOf(sq.apply(p.inner, layerNorm('C').apply(p.norm, x))));
  });

  it('repeat makes n independently initialised copies applied in order; repeat(0) is the identity', () => {
    const net = repeat(3, () => residual(sq));
    const p = randomTree(net.init(key(0), sizes), 1);
    assert.equal(p.length, 3);
    assert.deepEqual(parameterPaths(p).slice(0, 2), ['0.bias', '0.weight']);
    const x = tokens(sizes, 2);
    const by = p.reduce((h, q) => residual(sq).apply(q, h), x);
    assertClose(valueOf(net.apply(p, x)), valueOf(by));
    const inits = net.init(key(0), sizes);
    assert.notDeepEqual(Array.from(valueOf(inits[0]!.weight)), Array.from(valueOf(inits[1]!.weight)));
    const none = repeat(0, () => sq);
    assert.deepEqual(none.init(key(0), sizes), []);
    assert.equal(none.apply([], x), x);
    assert.throws(() => repeat(-1, () => sq), /non-negative integer/);
  });

  it('parallel adds the branches or concatenates them along an axis', () => {
    const toD = linear('C', 'D');
    const p2 = parallel([toD, toD]);
    const s = { ...sizes, D: 2 };
    const p = randomTree(p2.init(key(0), s), 1);
    const x = tokens(sizes, 2);
    const a = valueOf(toD.apply(p[0]!, x));
    const b = valueOf(toD.apply(p[1]!, x));
    assertClose(valueOf(p2.apply(p, x)), Array.from(a, (v, i) => v + b[i]!));
    const cat = parallel([toD, toD], { concat: 'D' });
    const y = cat.apply(p, x);
    assert.deepEqual(y.sizes, [2, 3, 4]);
    const yv = valueOf(y);
    for (let r = 0; r < 6; r++) assertClose(yv.slice(r * 4, r * 4 + 4), [...a.slice(r * 2, r * 2 + 2), ...b.slice(r * 2, r * 2 + 2)], 0);
  });

  it('nests parameter paths like PyTorch: blocks.0.attn.weight', () => {
    const model = { blocks: repeat(2, () => resmlpBlock()), head: linear('C', 'K') };
    const p = { blocks: model.blocks.init(key(0), { N: 3, C: 4 }), head: model.head.init(key(1), { C: 4, K: 2 }) };
    const paths = parameterPaths(p);
    assert.ok(paths.includes('blocks.0.attn.weight') && paths.includes('blocks.1.mlp.fc2.bias') && paths.includes('head.weight'));
    assert.equal(parameterPaths(serial(sq, sq).init(key(0), sizes))[1], '0.weight');
  });

  describe('the user-defined blocks of docs/nn.md', () => {
    it('are in docs/nn.md exactly as written here', () => {
      const doc = readFileSync('docs/nn.md', 'utf8');
      const sources = ['test/nn/combinators.test.ts', 'test/nn/record.test.ts', 'test/nn/list.test.ts'].map((f) => readFileSync(f, 'utf8'));
      const blocks = [...doc.matchAll(/```ts\n(\/\/ example: [\s\S]*?)```/g)].map((m) => m[1]!);
      assert.deepEqual(blocks.map((b) => b.split('\n')[0]), ['// example: xca-mixer', '// example: resmlp-from-combinators', '// example: record-block', '// example: list-blocks']);
      for (const b of blocks) {
        assert.ok(sources.some((source) => source.includes(`${b}// end example`)), `docs block '${b.split('\n')[0]}' is not verbatim in test/nn/combinators.test.ts, record.test.ts or list.test.ts`);
        assert.ok(b.trim().split('\n').length < 15, 'under 15 lines');
      }
    });

    it('xcaMixerBlock runs forward and backward with matching gradients', () => {
      const s = { B: 2, N: 3, C: 4, D: 6 };
      const p = xcaMixerBlock.init(key(0), s);
      assert.ok(parameterPaths(p).includes('0.inner.inner.temperature') && parameterPaths(p).includes('1.inner.inner.weight'));
      const x = tokens(s, 1);
      const y = xcaMixerBlock.apply(p, x);
      assert.deepEqual(y.sizes, [2, 3, 4]);
      assert.ok(valueOf(y).every(Number.isFinite));
      const r = checkTreeGradient((t: typeof p, xt) => xcaMixerBlock.apply(t, xt as Tensor<Tokens>), randomTree(p, 2), randomArray(['B', 'N', 'C'], [2, 3, 4], 3));
      assert.ok(r.ok, r.message);
    });

    it('resmlpLike computes exactly the ResMLP block (layers_scale_mlp_blocks) with the same parameters', () => {
      const s = { B: 2, N: 3, C: 4 };
      const official = resmlpBlock();
      const q = randomTree(official.init(key(4), s), 5, 1);
      const asCombinators: Parameters<typeof resmlpLike.apply>[0] = [
        { gamma: q.gamma_1, inner: { norm: q.norm1, inner: q.attn } },
        { gamma: q.gamma_2, inner: { norm: q.norm2, inner: q.mlp } },
      ];
      const x = tokens(s, 6);
      assertClose(valueOf(resmlpLike.apply(asCombinators, x)), valueOf(official.apply(q as ResMlpBlockParams, x)), 1e-15);
      assert.deepEqual(evaluate(resmlpLike.init(key(0), { ...s, D: 16 }))[0].gamma.data, Float64Array.from([0.1, 0.1, 0.1, 0.1]));
    });
  });
});
