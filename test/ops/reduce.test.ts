import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { shape, tensorOf } from '../../src/testing/index.js';
import {
  assertClose,
  assertShape,
  assertShapeError,
  autodiffGradients,
  constant,
  distinctTensor,
  evalFn,
  gradientProperty,
  indices,
  nd,
  projectionWeights,
  property,
  ravel,
  type T,
} from '../support/op-cases.js';

/** A tensor of random shape and a random set of axes to reduce (in random order); undefined means all. */
const reduceCase = (values: (axes: string[], sizes: number[]) => fc.Arbitrary<NDArray>, minRank = 0) =>
  shape({ minRank, maxRank: 3 }).chain((s) =>
    fc.record({
      inputs: values(s.axes, s.sizes).map((x) => [x]),
      axes: fc.option(fc.shuffledSubarray(s.axes), { nil: undefined }),
    }),
  );

const reduceWith = (f: typeof sg.sum, axes: readonly string[] | undefined) => (x: T) => (axes === undefined ? f(x) : f(x, axes));

/** Independent loops: fold every element of x into the slot of its kept index. */
function reference(x: NDArray, axes: readonly string[] | undefined, init: number, fold: (acc: number, v: number) => number): NDArray {
  const reduced = axes ?? x.axes;
  const keptAxes = x.axes.filter((a) => !reduced.includes(a));
  const keptSizes = keptAxes.map((a) => x.sizes[x.axes.indexOf(a)]!);
  const out = nd(keptAxes, keptSizes, new Float64Array(keptSizes.reduce((a, b) => a * b, 1)).fill(init));
  for (const idx of indices(x.axes, x.sizes)) {
    const o = ravel(keptSizes, keptAxes.map((a) => idx[a]!));
    out.data[o] = fold(out.data[o]!, x.data[ravel(x.sizes, x.axes.map((a) => idx[a]!))]!);
  }
  return out;
}

describe('ops/reduce', () => {
  describe('sum', () => {
    it('gradient matches finite differences over random axes', () => {
      gradientProperty(
        reduceCase((axes, sizes) => tensorOf(axes, sizes)),
        (c) => reduceWith(sg.sum, c.axes),
      );
    });

    it('matches explicit loops, and drops exactly the reduced axes', () => {
      property(reduceCase((axes, sizes) => tensorOf(axes, sizes, { min: -100, max: 100 })), (c) => {
        const x = c.inputs[0]!;
        const want = reference(x, c.axes, 0, (acc, v) => acc + v);
        const got = evalFn(reduceWith(sg.sum, c.axes), [x]);
        assertShape(got, want.axes, want.sizes);
        assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
      });
    });

    it('the gradient broadcasts the cotangent back (exactly)', () => {
      property(reduceCase((axes, sizes) => tensorOf(axes, sizes)), (c) => {
        const x = c.inputs[0]!;
        const outAxes = x.axes.filter((a) => !(c.axes ?? x.axes).includes(a));
        const outSizes = outAxes.map((a) => x.sizes[x.axes.indexOf(a)]!);
        const r = projectionWeights(outSizes);
        const [g] = autodiffGradients(reduceWith(sg.sum, c.axes), [x]);
        const want = Array.from(indices(x.axes, x.sizes), (idx) => r[ravel(outSizes, outAxes.map((a) => idx[a]!))]!);
        assertClose(g!.data, want, { rtol: 0, atol: 0 });
      });
    });
  });

  describe('max', () => {
    it('gradient matches finite differences over random axes (distinct values)', () => {
      gradientProperty(
        reduceCase((axes, sizes) => distinctTensor(axes, sizes)),
        (c) => reduceWith(sg.max, c.axes),
      );
    });

    it('matches explicit loops', () => {
      property(reduceCase((axes, sizes) => tensorOf(axes, sizes, { min: -100, max: 100 }), 1), (c) => {
        const x = c.inputs[0]!;
        const want = reference(x, c.axes, -Infinity, Math.max);
        const got = evalFn(reduceWith(sg.max, c.axes), [x]);
        assertShape(got, want.axes, want.sizes);
        assertClose(got.data, want.data, { rtol: 0, atol: 0 });
      });
    });

    it('ties share the gradient equally', () => {
      // Values from {0, 1}: many ties.
      const arb = reduceCase((axes, sizes) => tensorOf(axes, sizes, { min: 0, max: 1 }).map((x) => nd(axes, sizes, x.data.map((v) => (v < 0.5 ? 0 : 1)))), 1);
      property(arb, (c) => {
        const x = c.inputs[0]!;
        const reduced = c.axes ?? x.axes;
        const outAxes = x.axes.filter((a) => !reduced.includes(a));
        const outSizes = outAxes.map((a) => x.sizes[x.axes.indexOf(a)]!);
        const m = reference(x, c.axes, -Infinity, Math.max);
        const count = reference(x, c.axes, 0, () => 0).data;
        const slot = (idx: Record<string, number>) => ravel(outSizes, outAxes.map((a) => idx[a]!));
        const flat = (idx: Record<string, number>) => ravel(x.sizes, x.axes.map((a) => idx[a]!));
        for (const idx of indices(x.axes, x.sizes)) if (x.data[flat(idx)] === m.data[slot(idx)]) count[slot(idx)] = count[slot(idx)]! + 1;
        const r = projectionWeights(outSizes);
        const want = Array.from(indices(x.axes, x.sizes), (idx) => (x.data[flat(idx)] === m.data[slot(idx)] ? r[slot(idx)]! / count[slot(idx)]! : 0));
        const [g] = autodiffGradients(reduceWith(sg.max, c.axes), [x]);
        assertClose(g!.data, want, { rtol: 1e-15, atol: 0 });
      });
    });

    it('with no axes listed is the identity', () => {
      property(
        shape({ minRank: 0, maxRank: 3 }).chain((s) => tensorOf(s.axes, s.sizes)),
        (x) => assertClose(evalFn((t) => sg.max(t, []), [x]).data, x.data, { rtol: 0, atol: 0 }),
      );
    });
  });

  describe('shape errors', () => {
    const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
    it('reducing over a missing axis names it and the axes present', () => {
      assertShapeError(() => sg.sum(x, 'D' as 'B'), 'sum', "'x'", 'axis D', '[B, C]');
      assertShapeError(() => sg.max(x, 'D' as 'B'), 'max', 'axis D');
    });
    it('an axis listed twice', () => {
      assertShapeError(() => sg.sum(x, ['C', 'C']), 'sum', 'axis C appears twice');
    });
    it('max over an empty axis', () => {
      const e = constant(nd(['B', 'C'], [2, 0], []));
      assertShapeError(() => sg.max(e, 'C'), 'max', 'axis C has size 0');
    });
  });
});
