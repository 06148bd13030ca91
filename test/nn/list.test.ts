import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { list, named } from '../../src/nn/list.js';
import { at, fieldKeys, record } from '../../src/nn/record.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { stateless } from '../../src/nn/combinators.js';
import { runLayer, type Layer } from '../../src/nn/layer.js';
import { parameterPaths } from '../../src/nn/params.js';
import { fromArray } from '../../src/ops/sources.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { key, split } from '../../src/runtime/prng.js';
import { isTensor, type Tensor } from '../../src/ir/tensor.js';
import { flattenTree } from '../../src/ir/tree.js';
import { assertClose, randomArray, randomTree } from './resmlp/support.js';

// example: list-blocks
type Tokens = ['B', 'N', 'C'];
const tokens = at<Tokens>();
export const tower = record(
  { blocks: list(3, () => tokens(linear('C', 'C'))), norm: tokens(layerNorm('C', 1e-6)) },
  (f, x: Tensor<Tokens>) => f.norm(f.blocks(x)),
);
// end example

const sizes = { B: 2, N: 3, C: 4 };
const x0 = (seed: number): Tensor<Tokens> => fromArray(randomArray(['B', 'N', 'C'], [2, 3, 4], seed).data, ['B', 'N', 'C'], [2, 3, 4]);
const square = (): Layer<LinearParams<'C', 'C'>, Tokens, Tokens> => linear('C', 'C');
const norm = (): Layer<LinearParams<'C', 'C'>, Tokens, Tokens> => {
  const ln = tokens(layerNorm('C'));
  return { keyless: true, init: (k, s) => ({ weight: square().init(key(0), s).weight, bias: ln.init(k, s).bias }), apply: (p, x) => x };
};
const values = (t: Tensor): number[] => Array.from(valueOf(t));
const valuesOfTree = (tree: unknown): number[][] => flattenTree(tree, isTensor).leaves.map(values);
/** Which items draw from a key: true for a linear layer, false for a keyless one. */
const kinds = (min: number, max: number) => fc.array(fc.boolean(), { minLength: min, maxLength: max });
const itemOf = (keyed: boolean): Layer<LinearParams<'C', 'C'>, Tokens, Tokens> => (keyed ? square() : norm());

describe('nn/list', () => {
  it('names the docs’ example by index under its field', () => {
    assert.deepEqual(parameterPaths(tower.init(key(0), sizes)).sort(), ['blocks.0.bias', 'blocks.0.weight', 'blocks.1.bias', 'blocks.1.weight', 'blocks.2.bias', 'blocks.2.weight', 'norm.bias', 'norm.weight']);
  });

  it('names parameters exactly prefix.i for i < n, list by index and named by its function (property)', () => {
    fc.assert(
      fc.property(fc.nat(6), fc.nat(1000), (n, seed) => {
        const own = ['bias', 'weight'];
        const listed = record({ blocks: list(n, square) }, (f, x: Tensor<Tokens>) => f.blocks(x));
        const expected = Array.from({ length: n }, (_, i) => own.map((c) => `blocks.${i}.${c}`)).flat();
        assert.deepEqual(parameterPaths(listed.init(key(seed), sizes)).sort(), expected.sort());
        const byName = record({ stage: named(n, (i) => `stage-${i}`, square) }, (f, x: Tensor<Tokens>) => f.stage(x));
        const expectedNamed = Array.from({ length: n }, (_, i) => own.map((c) => `stage.stage-${i}.${c}`)).flat();
        assert.deepEqual(parameterPaths(byName.init(key(seed), sizes)).sort(), expectedNamed.sort());
      }),
    );
  });

  it('applies like its layers composed by hand in index order, and outputs each one’s result (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.nat(1000), (n, seed) => {
        const net = list(n, square);
        const p = randomTree(net.init(key(seed), sizes), seed + 1);
        const x = x0(seed + 2);
        const steps = p.reduce<Tensor<Tokens>[]>((outs, pi) => [...outs, square().apply(pi, outs[outs.length - 1] ?? x)], []);
        assertClose(values(net.apply(p, x)), values(steps[n - 1] ?? x), 0, 'list vs by hand');
        net.outputs(p, x).forEach((y, i) => assertClose(values(y), values(steps[i]!), 0, `output ${i}`));
        const byName = named(n, (i) => `b${i}`, square);
        const pn = Object.fromEntries(p.map((pi, i) => [`b${i}`, pi]));
        assertClose(values(byName.apply(pn, x)), values(steps[n - 1] ?? x), 0, 'named vs by hand');
      }),
    );
  });

  it('initialises the k layers that draw from a key with split(key, k) in index order, as a record does (property)', () => {
    fc.assert(
      fc.property(kinds(0, 6), fc.nat(1000), (keyedList, seed) => {
        const p = list(keyedList.length, (i) => itemOf(keyedList[i]!)).init(key(seed), sizes);
        const k = keyedList.filter(Boolean).length;
        const keys = k === 0 ? [] : split(key(seed), k);
        let next = 0;
        keyedList.forEach((keyed, i) => {
          const own = itemOf(keyed).init(keyed ? keys[next++]! : key(seed), sizes);
          assert.deepEqual(valuesOfTree(p[i]), valuesOfTree(own), `item ${i}`);
        });
        assert.deepEqual(fieldKeys(keyedList.map(itemOf), key(seed)).filter((_, i) => keyedList[i]), keys);
      }),
    );
  });

  it('is keyless when all its layers are, so it leaves its siblings’ draws as they were', () => {
    assert.equal(list(3, norm).keyless, true);
    assert.equal(list(0, square).keyless, true);
    assert.equal(list(2, (i) => itemOf(i === 1)).keyless, false);
    const alone = record({ head: square() }, (f, x: Tensor<Tokens>) => f.head(x)).init(key(4), sizes);
    const withNorms = record({ norms: list(2, norm), head: square() }, (f, x: Tensor<Tokens>) => f.head(f.norms(x))).init(key(4), sizes);
    assert.deepEqual(values(withNorms.head.weight), values(alone.head.weight));
  });

  it('passes layer i its context within the list, named by index or by its name', () => {
    const probe = stateless((x: Tensor<Tokens>, ctx) => {
      ctx?.emit([...(ctx?.path ?? []), 'seen'].join('.'), x);
      return x;
    });
    const net = record({ blocks: list(2, () => probe), stage: named(2, (i) => `block1-${i}`, () => probe) }, (f, x: Tensor<Tokens>) => f.stage(f.blocks(x)));
    const { emitted } = runLayer(net, net.init(key(0), sizes), x0(1));
    assert.deepEqual(Object.keys(emitted).sort(), ['blocks.0.seen', 'blocks.1.seen', 'stage.block1-0.seen', 'stage.block1-1.seen']);
  });

  it('refuses parameters of another length or without a name, and names that repeat', () => {
    const net = list(2, square);
    const p = net.init(key(0), sizes);
    assert.throws(() => net.apply(p.slice(0, 1), x0(0)), /hold 1 layers, the list 2/);
    assert.throws(() => named(2, (i) => `b${i}`, square).apply({ b0: p[0]! }, x0(0)), /no b1/);
    assert.throws(() => named(2, () => 'same', square), /distinct/);
    assert.throws(() => list(-1, square), /non-negative integer/);
  });
});
