import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { shape, tensorOf } from '../../src/testing/index.js';
import { assertClose, assertShape, evalFn, gradientProperty, indices, property, ravel, type T } from '../support/op-cases.js';

/** A tensor and a random set of axes (undefined: all), with at least `minCount` elements reduced into each slot. */
const statCase = (minCount: number, values = {}) =>
  shape({ minRank: 0, maxRank: 3 })
    .chain((s) => fc.record({ inputs: tensorOf(s.axes, s.sizes, values).map((x) => [x]), axes: fc.option(fc.shuffledSubarray(s.axes), { nil: undefined }) }))
    .filter((c) => {
      const x = c.inputs[0]!;
      return (c.axes ?? x.axes).reduce((n, a) => n * x.sizes[x.axes.indexOf(a)]!, 1) >= minCount;
    });

/** Independent two-pass loops: the values reduced into each output slot. */
function groups(x: NDArray, axes: readonly string[] | undefined): { axes: string[]; sizes: number[]; members: number[][] } {
  const reduced = axes ?? x.axes;
  const keptAxes = x.axes.filter((a) => !reduced.includes(a));
  const keptSizes = keptAxes.map((a) => x.sizes[x.axes.indexOf(a)]!);
  const members: number[][] = Array.from({ length: keptSizes.reduce((a, b) => a * b, 1) }, () => []);
  for (const idx of indices(x.axes, x.sizes)) members[ravel(keptSizes, keptAxes.map((a) => idx[a]!))]!.push(x.data[ravel(x.sizes, x.axes.map((a) => idx[a]!))]!);
  return { axes: keptAxes, sizes: keptSizes, members };
}

const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const varianceOf = (v: number[], unbiased: boolean) => {
  const m = meanOf(v);
  return v.reduce((a, b) => a + (b - m) * (b - m), 0) / (unbiased ? v.length - 1 : v.length);
};

const meanWith = (axes: readonly string[] | undefined) => (x: T) => (axes === undefined ? sg.mean(x) : sg.mean(x, axes));
const varianceWith = (axes: readonly string[] | undefined, unbiased: boolean) => (x: T) => sg.variance(x, axes ?? x.axes, { unbiased });

describe('ops/statistics', () => {
  describe('mean', () => {
    it('gradient matches finite differences over random axes', () => {
      gradientProperty(statCase(1), (c) => meanWith(c.axes));
    });
    it('matches sum / count by explicit loops', () => {
      property(statCase(1, { min: -100, max: 100 }), (c) => {
        const g = groups(c.inputs[0]!, c.axes);
        const got = evalFn(meanWith(c.axes), c.inputs);
        assertShape(got, g.axes, g.sizes);
        assertClose(got.data, g.members.map(meanOf), { rtol: 1e-12, atol: 1e-12 });
      });
    });
  });

  for (const unbiased of [false, true]) {
    describe(`variance (${unbiased ? 'unbiased, n - 1' : 'biased, n'})`, () => {
      const minCount = unbiased ? 2 : 1;
      it('gradient matches finite differences over random axes', () => {
        gradientProperty(statCase(minCount), (c) => varianceWith(c.axes, unbiased));
      });
      it('matches the two-pass formula by explicit loops', () => {
        property(statCase(minCount, { min: -100, max: 100 }), (c) => {
          const g = groups(c.inputs[0]!, c.axes);
          const got = evalFn(varianceWith(c.axes, unbiased), c.inputs);
          assertShape(got, g.axes, g.sizes);
          assertClose(got.data, g.members.map((v) => varianceOf(v, unbiased)), { rtol: 1e-10, atol: 1e-9 });
        });
      });
    });
  }

  it('unbiased = biased * n / (n - 1)', () => {
    property(statCase(2), (c) => {
      const x = c.inputs[0]!;
      const n = (c.axes ?? x.axes).reduce((k, a) => k * x.sizes[x.axes.indexOf(a)]!, 1);
      const biased = evalFn(varianceWith(c.axes, false), c.inputs).data;
      assertClose(evalFn(varianceWith(c.axes, true), c.inputs).data, biased.map((v) => (v * n) / (n - 1)), { rtol: 1e-12, atol: 1e-15 });
    });
  });

  it('refuses a mean over no elements at trace time (it would be NaN)', () => {
    const x = sg.full(1, ['I', 'J'], [2, 0]);
    assert.throws(() => sg.mean(x, 'J'), (e: unknown) => e instanceof sg.ShapeError && /mean over J of \[I=2, J=0\]: there are no elements to average/.test(e.message));
    assert.equal(sg.mean(x, 'I').sizes[0], 0);
  });
});
