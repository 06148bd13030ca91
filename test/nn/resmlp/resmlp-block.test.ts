import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { resmlpBlock, type ResMlpBlockParams } from '../../../src/nn/resmlp/resmlp-block.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { runLayer } from '../../../src/nn/layer.js';
import { fromArray, full } from '../../../src/ops/sources.js';
import { evaluate, valueOf } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { resmlpBlockComponent } from '../../../src/testing/conformance/components/resmlp-block.js';
import { assertClose, assertGolden, checkTreeGradient, randomArray, randomTree } from './support.js';

describe('nn/resmlp/resmlpBlock', () => {
  it('reproduces resmlp_block.json (every output and gradient)', () => {
    const s = assertGolden('resmlp_block', resmlpBlockComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('names its parameters as the official state_dict, with official shapes and init', () => {
    const block = resmlpBlock({ initValues: 0.1 });
    const p = block.init(key(0), { N: 4, C: 8 });
    assert.deepEqual(parameterPaths(p).sort(), [
      'attn.bias', 'attn.weight', 'gamma_1', 'gamma_2', 'mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight',
      'norm1.alpha', 'norm1.beta', 'norm2.alpha', 'norm2.beta',
    ]);
    assert.deepEqual(p.attn.weight.sizes, [4, 4]);
    assert.deepEqual(p.mlp.fc1.weight.axes, ['D', 'C']);
    assert.deepEqual(p.mlp.fc1.weight.sizes, [32, 8]);
    const v = evaluate(p);
    assert.ok(v.gamma_1.data.every((g) => g === 0.1) && v.gamma_2.data.every((g) => g === 0.1));
    assert.ok(v.norm1.alpha.data.every((g) => g === 1) && v.norm1.beta.data.every((g) => g === 0));
    assert.ok(v.mlp.fc2.bias.data.every((g) => g === 0) && v.attn.bias.data.every((g) => g === 0));
    assert.equal(evaluate(resmlpBlock().init(key(0), { N: 2, C: 2 })).gamma_1.data[0], 1e-4, 'official default init_values');
  });

  it('initialises deterministically per key (property)', () => {
    const block = resmlpBlock();
    fc.assert(
      fc.property(fc.nat(10000), fc.nat(10000), (a, b) => {
        const pa = evaluate(block.init(key(a), { N: 3, C: 4 }));
        assert.deepEqual(evaluate(block.init(key(a), { N: 3, C: 4 })), pa);
        if (a !== b) assert.notDeepEqual(Array.from(evaluate(block.init(key(b), { N: 3, C: 4 })).attn.weight.data), Array.from(pa.attn.weight.data));
      }),
      { numRuns: 10 },
    );
  });

  it('is the identity when both layer scales are zero (property)', () => {
    const block = resmlpBlock();
    fc.assert(
      fc.property(fc.record({ B: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 5 }), C: fc.integer({ min: 1, max: 6 }), seed: fc.nat(1000) }), (s) => {
        const random = randomTree(block.init(key(s.seed), s), s.seed, 1);
        const p: ResMlpBlockParams = { ...random, gamma_1: full(0, ['C'], s), gamma_2: full(0, ['C'], s) };
        const xs = randomArray(['B', 'N', 'C'], [s.B, s.N, s.C], s.seed + 3);
        assert.deepEqual(Array.from(valueOf(block.apply(p, fromArray(xs.data, ['B', 'N', 'C'], s)))), Array.from(xs.data));
      }),
      { numRuns: 20 },
    );
  });

  it('has gradients that match finite differences for the input and every parameter (property, few runs)', () => {
    const block = resmlpBlock();
    fc.assert(
      fc.property(fc.record({ B: fc.integer({ min: 1, max: 2 }), N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 3 }), seed: fc.nat(1000) }), (s) => {
        const p = randomTree(block.init(key(s.seed), s), s.seed);
        const r = checkTreeGradient((t, x) => block.apply(t, x as never), p, randomArray(['B', 'N', 'C'], [s.B, s.N, s.C], s.seed + 1));
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 4 },
    );
  });

  it('drop-path needs a key in training, is the identity in evaluation, and drops whole samples', () => {
    const block = resmlpBlock({ dropPath: 0.5 });
    const s = { B: 8, N: 3, C: 4 };
    const p = randomTree(block.init(key(1), s), 2);
    const x = fromArray(randomArray(['B', 'N', 'C'], [8, 3, 4], 3).data, ['B', 'N', 'C'], s);
    const plain = valueOf(resmlpBlock().apply(p, x));
    assertClose(valueOf(block.apply(p, x)), plain, 0);
    assert.throws(() => runLayer(block, p, x, { training: true }), /needs a key in training mode/);
    const a = valueOf(runLayer(block, p, x, { training: true, key: key(9) }).y);
    const b = valueOf(runLayer(block, p, x, { training: true, key: key(9) }).y);
    assert.deepEqual(a, b);
    assert.notDeepEqual(Array.from(a), Array.from(plain));
  });
});
