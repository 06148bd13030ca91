import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { registry } from '../../src/index.js';
import { shape, tensorOf, value } from '../../src/testing/index.js';
import {
  assertSameData,
  assertShape,
  assertShapeError,
  autodiffGradients,
  constant,
  evalFn,
  gradientProperty,
  numel,
  projectionWeights,
  property,
  tabulate,
  type T,
} from '../support/op-cases.js';

const shapes = shape({ minRank: 0, maxRank: 3 });
const someTensor = shapes.chain((s) => tensorOf(s.axes, s.sizes));
/** A tensor and a second one of the same shape. */
const pair = shapes.chain((s) => fc.tuple(tensorOf(s.axes, s.sizes), tensorOf(s.axes, s.sizes)));

describe('ops/sources', () => {
  describe('constant (fromArray, scalar)', () => {
    it('holds the data under its axes and sizes (sizes by record or list)', () => {
      property(someTensor, (x) => {
        const byList = sg.evaluate(sg.fromArray(Array.from(x.data), [...x.axes], [...x.sizes]));
        const record = Object.fromEntries(x.axes.map((a, i) => [a, x.sizes[i]!]));
        const byRecord = sg.evaluate(sg.fromArray(x.data, [...x.axes], record));
        for (const got of [byList, byRecord]) {
          assertShape(got, x.axes, x.sizes);
          assertSameData(got.data, x.data);
        }
      });
      property(value({ min: -1e9, max: 1e9 }), (v) => {
        const got = sg.evaluate(sg.scalar(v));
        assertShape(got, [], []);
        assertSameData(got.data, [v]);
      });
    });
    it('a constant operand gets no gradient; the variable one gets constant * R', () => {
      property(pair, ([x, c]) => {
        const r = projectionWeights(x.sizes);
        const [g] = autodiffGradients((t) => sg.mul(t, constant(c)), [x]);
        assertSameData(g!.data, c.data.map((v, i) => v * r[i]!));
      });
      gradientProperty(
        pair.map(([x, c]) => ({ inputs: [x], c })),
        (k) => (t: T) => sg.mul(t, constant(k.c)),
      );
    });
    it('bad data is an InputError naming the input; bad shapes a ShapeError', () => {
      assert.throws(() => sg.fromArray([1, 2, 3, 4, 5], ['B', 'C'], { B: 2, C: 3 }, { name: 'x' }), (e: unknown) => e instanceof sg.InputError && /input x: 5 values given, but shape \[B=2, C=3\] needs 6/.test(e.message));
      assert.throws(() => sg.fromArray([1, NaN, 3, 4, 5, 6], ['B', 'C'], { B: 2, C: 3 }, { name: 'x' }), (e: unknown) => e instanceof sg.InputError && /input x: value NaN at \[B=0, C=1\] is not finite/.test(e.message));
      assert.doesNotThrow(() => sg.fromArray([Infinity], ['B'], [1], { allowNonFinite: true }));
      assertShapeError(() => sg.fromArray([], ['B', 'C'], [2, -1]), 'fromArray', 'axis C', '-1');
      assertShapeError(() => sg.fromArray([1, 2, 3, 4], ['B', 'B'], [2, 2]), 'axis B appears twice');
      assertShapeError(() => sg.fromArray([1, 2], ['B', 'C'], { B: 2 }), 'no size bound for axis C');
      assertShapeError(() => sg.fromArray([1, 2], ['B'], [1, 2]), '1 axes', '2 sizes');
    });
  });

  describe('fill (full, fullLike, zerosLike, onesLike)', () => {
    it('one value everywhere, with the given or borrowed shape', () => {
      property(fc.tuple(someTensor, value({ min: -1e6, max: 1e6 })), ([x, v]) => {
        const n = numel(x.sizes);
        const t = constant(x);
        const cases: [sg.Tensor, number][] = [
          [sg.full(v, [...x.axes], [...x.sizes]), v],
          [sg.fullLike(v, t), v],
          [sg.zerosLike(t), 0],
          [sg.onesLike(t), 1],
        ];
        for (const [tensor, want] of cases) {
          const got = sg.evaluate(tensor);
          assertShape(got, x.axes, x.sizes);
          assertSameData(got.data, new Float64Array(n).fill(want));
        }
      });
    });
    it('a fill contributes no gradient: d/dx [x + fullLike(v, x)] = R exactly, and finite differences agree', () => {
      property(fc.tuple(someTensor, value()), ([x, v]) => {
        const [g] = autodiffGradients((t) => sg.add(t, sg.fullLike(v, t)), [x]);
        assertSameData(g!.data, projectionWeights(x.sizes));
      });
      gradientProperty(
        fc.tuple(someTensor, value()).map(([x, v]) => ({ inputs: [x], v })),
        (c) => (t: T) => sg.mul(t, sg.full(c.v, [...t.axes], [...t.sizes])),
      );
    });
  });

  describe('iota', () => {
    const iotaCase = shape({ minRank: 1, maxRank: 3 }).chain((s) => fc.tuple(fc.constant(s), fc.constantFrom(...s.axes)));
    it('holds the index along one axis, broadcast over the others', () => {
      property(iotaCase, ([s, along]) => {
        const got = sg.evaluate(sg.iota(along, s.axes, s.sizes));
        assertShape(got, s.axes, s.sizes);
        assertSameData(got.data, tabulate(s.axes, s.sizes, (idx) => idx[along]!).data);
      });
    });
    it('has no gradient rule outputs (no inputs), and contributes no gradient to what it multiplies', () => {
      property(iotaCase.chain(([s, along]) => tensorOf(s.axes, s.sizes).map((x) => ({ x, along }))), ({ x, along }) => {
        const node = sg.iota(along, [...x.axes], [...x.sizes]);
        assert.deepEqual(registry.iota.vjp(node, constant(x), node.attrs as never), []);
        const r = projectionWeights(x.sizes);
        const idx = evalFn(() => sg.iota(along, [...x.axes], [...x.sizes]), []).data;
        const [g] = autodiffGradients((t) => sg.mul(t, sg.iota(along, [...t.axes], [...t.sizes])), [x]);
        assertSameData(g!.data, idx.map((v, i) => v * r[i]!));
      });
      gradientProperty(
        iotaCase.chain(([s, along]) => tensorOf(s.axes, s.sizes).map((x) => ({ inputs: [x], along }))),
        (c) => (t: T) => sg.mul(t, sg.iota(c.along, [...t.axes], [...t.sizes])),
      );
    });
    it('an axis not among the axes is an error', () => {
      assertShapeError(() => sg.iota('D' as 'B', ['B', 'C'], [2, 3]), 'iota', 'axis D', '[B, C]');
    });
  });

  it('input: evaluating a formal input outside a run is an error naming it', () => {
    assert.throws(
      () => sg.trace((x) => sg.evaluate(x), sg.spec(['B'], [2], 'x')),
      (e: unknown) => e instanceof sg.InputError && e.message.includes('x'),
    );
  });

  it('fromArray refuses null with an InputError, not a bare TypeError', () => {
    assert.throws(() => sg.fromArray(null as never, ['I'], [3]), (e: unknown) => e instanceof sg.InputError && /expected an array of numbers or a typed array; got null/.test(e.message));
  });

  it('evaluating more elements than a Float64Array holds is a RangeError naming the node and its shape', () => {
    assert.throws(() => sg.valueOf(sg.full(1, ['I'], [2 ** 33])), /node 0 \(fill\) has shape \[I=8589934592\]: 8589934592 elements, more than the reference interpreter's float64 arrays hold/);
  });
});
