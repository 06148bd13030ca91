import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { applyFields, at, initFields, record, type Field } from '../../src/nn/record.js';
import { filled, parameter } from '../../src/nn/parameter.js';
import { gamma, scaleBy } from '../../src/nn/layer-scale.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { mlp } from '../../src/nn/mlp.js';
import { stateless } from '../../src/nn/combinators.js';
import { runLayer, type Layer } from '../../src/nn/layer.js';
import { parameterPaths } from '../../src/nn/params.js';
import { add } from '../../src/ops/elementwise.js';
import { fromArray } from '../../src/ops/sources.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { key, split } from '../../src/runtime/prng.js';
import { isTensor, type Tensor } from '../../src/ir/tensor.js';
import { flattenTree } from '../../src/ir/tree.js';
import { assertClose, randomArray, randomTree } from './resmlp/support.js';

// example: record-block
type Tokens = ['B', 'N', 'C'];
const tokens = at<Tokens>();
export const mlpBlock = record(
  { norm: tokens(layerNorm('C', 1e-6)), mlp: tokens(mlp('C', 'F')), gamma: gamma('C', 0.1) },
  (f, x: Tensor<Tokens>) => add(x, scaleBy(f.gamma, f.mlp(f.norm(x)))),
);
// end example

const sizes = { B: 2, N: 3, C: 4, F: 5 };
const x0 = (seed: number): Tensor<Tokens> => fromArray(randomArray(['B', 'N', 'C'], [2, 3, 4], seed).data, ['B', 'N', 'C'], [2, 3, 4]);
const square = (): Layer<LinearParams<'C', 'C'>, Tokens, Tokens> => linear('C', 'C');
const values = (t: Tensor): number[] => Array.from(valueOf(t));
const valuesOfTree = (tree: unknown): number[][] => flattenTree(tree, isTensor).leaves.map(values);

/** Field names: distinct, not integer-like (JavaScript would reorder those). */
const names = (min: number, max: number) => fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), { minLength: min, maxLength: max });
/** A field of one of three kinds: a linear layer, a layer norm, a bare parameter. */
const kinds = ['linear', 'norm', 'gamma'] as const;
const fieldOf = (kind: (typeof kinds)[number]): Field<unknown> => (kind === 'linear' ? square() : kind === 'norm' ? tokens(layerNorm('C')) : gamma('C', 0.5));
const childPaths = { linear: ['bias', 'weight'], norm: ['bias', 'weight'], gamma: [] as string[] };

describe('nn/record', () => {
  it('names the parameters of the docs’ example by its fields (its types: test/types/record.types.ts)', () => {
    assert.deepEqual(parameterPaths(mlpBlock.init(key(0), sizes)).sort(), ['gamma', 'mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight', 'norm.bias', 'norm.weight']);
  });

  it('names parameter paths exactly by its field names, prefixed to each field\u2019s own paths (property)', () => {
    fc.assert(
      fc.property(names(1, 6), fc.array(fc.constantFrom(...kinds), { minLength: 6, maxLength: 6 }), fc.nat(1000), (fieldNames, kindList, seed) => {
        const fields = Object.fromEntries(fieldNames.map((n, i) => [n, fieldOf(kindList[i]!)]));
        const expected = fieldNames.flatMap((n, i) => (childPaths[kindList[i]!].length === 0 ? [n] : childPaths[kindList[i]!].map((c) => `${n}.${c}`)));
        assert.deepEqual(parameterPaths(initFields(fields, key(seed), sizes)).sort(), expected.sort());
        // Nested: an outer record prefixes the inner record's paths with the inner's name.
        const outer = record({ inner: record(fields, (_f, x: Tensor<Tokens>) => x) }, (f, x: Tensor<Tokens>) => f.inner(x));
        assert.deepEqual(parameterPaths(outer.init(key(seed), sizes)).sort(), expected.map((p) => `inner.${p}`).sort());
      }),
    );
  });

  it('applies like its fields composed by hand with the same parameters (property)', () => {
    fc.assert(
      fc.property(names(2, 4), fc.nat(1000), (fieldNames, seed) => {
        // A chain through the linear fields in their order, each followed by the shared norm, plus a scaled skip.
        const fields: Record<string, Field<unknown>> = { ...Object.fromEntries(fieldNames.map((n) => [n, square()])), skip_scale: gamma('C', 1) };
        const layers = fieldNames.map((n) => fields[n] as Layer<LinearParams<'C', 'C'>, Tokens, Tokens>);
        const net = record(fields, (f, x: Tensor<Tokens>) => {
          const chained = fieldNames.reduce((h, n) => (f[n] as (t: Tensor<Tokens>) => Tensor<Tokens>)(h), x);
          return add(chained, scaleBy(f.skip_scale as Tensor<['C']>, x));
        });
        const p = randomTree(net.init(key(seed), sizes), seed + 1);
        const x = x0(seed + 2);
        const byHand = add(
          fieldNames.reduce((h, n, i) => layers[i]!.apply(p[n] as LinearParams<'C', 'C'>, h), x),
          scaleBy(p.skip_scale as Tensor<['C']>, x),
        );
        assertClose(values(net.apply(p, x)), values(byHand), 0, 'record vs by hand');
      }),
    );
  });

  it('initialises the k fields that draw from a key with split(key, k) in field order; keyless fields take none (property)', () => {
    fc.assert(
      fc.property(names(1, 6), fc.array(fc.constantFrom(...kinds), { minLength: 6, maxLength: 6 }), fc.nat(1000), (fieldNames, kindList, seed) => {
        const fields = Object.fromEntries(fieldNames.map((n, i) => [n, fieldOf(kindList[i]!)]));
        const p = initFields(fields, key(seed), sizes) as Record<string, unknown>;
        const keyed = fieldNames.filter((_, i) => kindList[i] === 'linear');
        const keys = keyed.length === 0 ? [] : split(key(seed), keyed.length);
        fieldNames.forEach((n, i) => {
          const own = fieldOf(kindList[i]!).init(keys[keyed.indexOf(n)] ?? key(0), sizes);
          assert.deepEqual(valuesOfTree(p[n]), valuesOfTree(own), n);
        });
      }),
    );
  });

  it('keeps the draws of the other fields when a keyless field is added', () => {
    const lin = { attn: square(), mlp: square() };
    const plain = initFields(lin, key(5), sizes);
    const withNorms = initFields({ norm1: tokens(layerNorm('C')), attn: lin.attn, gamma1: gamma('C', 1), mlp: lin.mlp }, key(5), sizes);
    assert.deepEqual(values(withNorms.attn.weight), values(plain.attn.weight));
    assert.deepEqual(values(withNorms.mlp.weight), values(plain.mlp.weight));
    const norms = record({ norm1: tokens(layerNorm('C')), gamma1: gamma('C', 1) }, (f, x: Tensor<Tokens>) => scaleBy(f.gamma1, f.norm1(x)));
    assert.equal(norms.keyless, true, 'a record of keyless fields is keyless');
    assert.deepEqual(values(initFields({ norms, ...lin }, key(5), sizes).mlp.weight), values(plain.mlp.weight));
  });

  it('passes each field its context within the record, so what it emits is named like its parameters', () => {
    const probe = stateless((x: Tensor<Tokens>, ctx) => {
      ctx?.emit([...(ctx?.path ?? []), 'seen'].join('.'), x);
      return x;
    });
    const inner = record({ attn: probe, norm1: tokens(layerNorm('C')) }, (f, x: Tensor<Tokens>) => f.attn(f.norm1(x)));
    const outer = record({ block: inner, head: probe }, (f, x: Tensor<Tokens>) => f.head(f.block(x)));
    const { emitted } = runLayer(outer, outer.init(key(0), sizes), x0(1));
    assert.deepEqual(Object.keys(emitted).sort(), ['block.attn.seen', 'head.seen']);
  });

  it('gives the forward a parameter field\u2019s value, and each layer field bound to its own parameters', () => {
    const fields = { w: parameter(() => fromArray([1, 2, 3, 4], ['C'], [4])), lin: square() };
    const p = initFields(fields, key(3), sizes);
    const applied = applyFields(fields, p, undefined);
    assert.equal(applied.w, p.w);
    const x = x0(4);
    assertClose(values(applied.lin(x)), values(fields.lin.apply(p.lin, x)), 0);
    assert.deepEqual(values(filled(7, ['C', 'F']).init(key(0), sizes)), new Array(20).fill(7));
  });

  it('refuses parameters that miss a field, naming the record\u2019s path and the field', () => {
    const net = record({ block: record({ norm1: tokens(layerNorm('C')), attn: square() }, (f, x: Tensor<Tokens>) => f.attn(f.norm1(x))) }, (f, x: Tensor<Tokens>) => f.block(x));
    const p = net.init(key(0), sizes);
    const { attn: _gone, ...withoutAttn } = p.block;
    void _gone;
    assert.throws(() => net.apply({ block: withoutAttn as typeof p.block }, x0(1)), /record at block: the parameters have no field attn \(they have norm1\)/);
  });
});
