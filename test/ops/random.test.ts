import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { registry } from '../../src/index.js';
import { shape, tensorOf } from '../../src/testing/index.js';
import {
  assertSameData,
  assertShape,
  assertShapeError,
  autodiffGradients,
  constant,
  gradientProperty,
  numel,
  projectionWeights,
  property,
  type T,
} from '../support/op-cases.js';

const keyArb = fc.nat({ max: 2 ** 40 }).map((seed) => sg.random.key(seed));
const shapes = shape({ minRank: 0, maxRank: 3 });

type Sampler = (key: sg.Key, axes: string[], sizes: number[]) => sg.Tensor;
const samplers: readonly [string, Sampler, (key: sg.Key, n: number) => ArrayLike<number>][] = [
  ['uniform', sg.uniform, (k, n) => sg.random.uniform(k, n)],
  ['normal', sg.normal, (k, n) => sg.random.normal(k, n)],
  ['truncatedNormal', (k, a, s) => sg.truncatedNormal(k, a, s), (k, n) => sg.random.truncatedNormal(k, n, 1, -2, 2)],
  ['randomBits', sg.randomBits, (k, n) => sg.random.randomBits(k, n)],
];

describe('ops/random', () => {
  for (const [name, op, reference] of samplers) {
    describe(name, () => {
      it('element i is the generator at (key, i), whatever the shape', () => {
        property(fc.tuple(keyArb, shapes), ([key, s]) => {
          const got = sg.evaluate(op(key, s.axes, s.sizes));
          assertShape(got, s.axes, s.sizes);
          assertSameData(got.data, Array.from(reference(key, numel(s.sizes))));
          // Same key, same tensor; a flat tensor of the same count holds the same values.
          assertSameData(sg.evaluate(op(key, ['N'], [numel(s.sizes)])).data, got.data);
        });
      });
      it('has no gradient rule outputs, and contributes no gradient to what it multiplies', () => {
        property(fc.tuple(keyArb, shapes.chain((s) => tensorOf(s.axes, s.sizes))), ([key, x]) => {
          const node = op(key, [...x.axes], [...x.sizes]);
          assert.deepEqual(registry.random.vjp(node, constant(x), node.attrs as never), []);
          const noise = sg.evaluate(node).data;
          const r = projectionWeights(x.sizes);
          const [g] = autodiffGradients((t) => sg.mul(t, op(key, [...t.axes], [...t.sizes]) as T), [x]);
          assertSameData(g!.data, noise.map((v, i) => v * r[i]!));
        });
      });
    });
  }

  it('ranges: uniform in (0, 1), truncatedNormal within its bounds, bits are uint32', () => {
    property(fc.tuple(keyArb, fc.double({ min: -3, max: 0, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true })), ([key, lower, width]) => {
      const u = sg.evaluate(sg.uniform(key, ['N'], [64])).data;
      assert.ok(u.every((v) => v > 0 && v < 1));
      const t = sg.evaluate(sg.truncatedNormal(key, ['N'], [64], lower, lower + width)).data;
      assert.ok(t.every((v) => v >= lower && v <= lower + width), `truncatedNormal outside [${lower}, ${lower + width}]`);
      assertSameData(t, sg.random.truncatedNormal(key, 64, 1, lower, lower + width));
      const b = sg.evaluate(sg.randomBits(key, ['N'], [64])).data;
      assert.ok(b.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
    });
  });

  it('different keys give different tensors', () => {
    property(fc.tuple(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 })), ([a, b]) => {
      fc.pre(a !== b);
      const x = sg.evaluate(sg.uniform(sg.random.key(a), ['N'], [8])).data;
      const y = sg.evaluate(sg.uniform(sg.random.key(b), ['N'], [8])).data;
      assert.notDeepEqual(Array.from(x), Array.from(y));
    });
  });

  it('a gradient property through a random factor: d/dx [x * normal(key)] matches finite differences', () => {
    gradientProperty(
      fc.tuple(keyArb, shapes.chain((s) => tensorOf(s.axes, s.sizes))).map(([key, x]) => ({ inputs: [x], key })),
      (c) => (t: T) => sg.mul(t, sg.normal(c.key, [...t.axes], [...t.sizes])),
    );
  });

  it('bad sizes are a ShapeError naming the axis', () => {
    assertShapeError(() => sg.uniform(sg.random.key(0), ['B', 'C'], [2, -3]), 'random', 'axis C', '-3');
    assertShapeError(() => sg.normal(sg.random.key(0), ['B', 'C'], { B: 2 }), 'no size bound for axis C');
  });
});
