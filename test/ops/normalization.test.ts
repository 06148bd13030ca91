import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { shape, tensorOf, type ValueOptions } from '../../src/testing/index.js';
import { assertClose, assertShape, distinctTensor, evalFn, get, gradientProperty, indices, nd, property, ravel, tabulate, type T } from '../support/op-cases.js';

const axisCase = (values: ValueOptions = { min: -2, max: 2 }) =>
  shape({ minRank: 1, maxRank: 3 }).chain((s) => fc.record({ inputs: tensorOf(s.axes, s.sizes, values).map((x) => [x]), axis: fc.constantFrom(...s.axes) }));

/** For each index of the other axes, the flat offsets of the row along `axis`. */
function rowOffsets(x: NDArray, axis: string): number[][] {
  const axes = x.axes.filter((a) => a !== axis);
  const sizes = axes.map((a) => x.sizes[x.axes.indexOf(a)]!);
  const out: number[][] = Array.from({ length: sizes.reduce((a, b) => a * b, 1) }, () => []);
  for (const idx of indices(x.axes, x.sizes)) out[ravel(sizes, axes.map((a) => idx[a]!))]!.push(ravel(x.sizes, x.axes.map((a) => idx[a]!)));
  return out;
}

const rowStats = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, variance: v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length };
};

describe('ops/normalization', () => {
  describe('layerNorm', () => {
    it('gradient matches finite differences along a random axis (rows spread out relative to eps)', () => {
      // With eps = 1e-5 a near-constant row makes the map steep on the scale of the finite-difference
      // step; pairwise distinct values (spacing 0.25) keep every row's variance >= 1/128.
      const spread = shape({ minRank: 1, maxRank: 3 }).chain((s) => fc.record({ inputs: distinctTensor(s.axes, s.sizes).map((x) => [x]), axis: fc.constantFrom(...s.axes) }));
      gradientProperty(spread, (c) => (x: T) => sg.layerNorm(x, c.axis));
    });
    it('gradient matches finite differences with a larger eps (any values)', () => {
      gradientProperty(axisCase(), (c) => (x: T) => sg.layerNorm(x, c.axis, 0.1));
    });
    it('equals (x - mean) / sqrt(var + eps) with the biased variance; rows have mean 0 and variance var / (var + eps)', () => {
      property(fc.tuple(axisCase({ min: -50, max: 50 }), fc.constantFrom(1e-5, 0.1)), ([c, eps]) => {
        const x = c.inputs[0]!;
        const got = evalFn((t) => sg.layerNorm(t, c.axis, eps), [x]);
        assertShape(got, x.axes, x.sizes);
        const want = new Float64Array(x.data.length);
        for (const row of rowOffsets(x, c.axis)) {
          const values = row.map((o) => x.data[o]!);
          const { mean, variance } = rowStats(values);
          const scale = 1 / Math.sqrt(variance + eps);
          row.forEach((o) => (want[o] = (x.data[o]! - mean) * scale));
          // Centering cancels: rounding errors of order ulp(max |x|) are amplified by 1 / sqrt(var + eps).
          const atol = 16 * Number.EPSILON * Math.max(...values.map(Math.abs)) * scale + 1e-14;
          const out = rowStats(row.map((o) => got.data[o]!));
          assertClose([out.mean], [0], { rtol: 0, atol }, 'row mean');
          assertClose([out.variance], [variance / (variance + eps)], { rtol: 1e-10, atol: 4 * atol }, 'row variance');
          assertClose(row.map((o) => got.data[o]!), row.map((o) => want[o]!), { rtol: 1e-12, atol }, 'row');
        }
      });
    });
    it('with eps = 0, rows of spread-out values have mean 0 and variance 1', () => {
      // Pairwise distinct values (spacing 0.25) and rows of at least 2: every row has variance >= 1/128.
      const spread = shape({ minRank: 1, maxRank: 3, min: 2 }).chain((s) => fc.tuple(distinctTensor(s.axes, s.sizes), fc.constantFrom(...s.axes)));
      property(spread, ([x, axis]) => {
        const got = evalFn((t) => sg.layerNorm(t, axis, 0), [x]);
        for (const row of rowOffsets(x, axis)) {
          const out = rowStats(row.map((o) => got.data[o]!));
          assertClose([out.mean, out.variance], [0, 1], { rtol: 0, atol: 1e-12 });
        }
      });
    });
  });

  describe('l2Normalize', () => {
    it('gradient matches finite differences along a random axis (norms away from 0)', () => {
      gradientProperty(axisCase({ min: -2, max: 2, awayFrom: [0], margin: 0.1 }), (c) => (x: T) => sg.l2Normalize(x, c.axis));
    });
    it('rows have norm 1 and point along x', () => {
      property(axisCase({ min: -50, max: 50, awayFrom: [0], margin: 1e-3 }), (c) => {
        const x = c.inputs[0]!;
        const got = evalFn((t) => sg.l2Normalize(t, c.axis), [x]);
        assertShape(got, x.axes, x.sizes);
        const want = new Float64Array(x.data.length);
        for (const row of rowOffsets(x, c.axis)) {
          const norm = Math.hypot(...row.map((o) => x.data[o]!));
          row.forEach((o) => (want[o] = x.data[o]! / norm));
          assertClose([Math.hypot(...row.map((o) => got.data[o]!))], [1], { rtol: 0, atol: 1e-14 }, 'row norm');
        }
        assertClose(got.data, want, { rtol: 1e-14, atol: 1e-300 });
      });
    });
    it('a zero row stays zero (the norm is clamped at eps)', () => {
      const x = nd(['B', 'C'], [2, 3], [0, 0, 0, 3, 0, 4]);
      const got = evalFn((t) => sg.l2Normalize(t, 'C'), [x]);
      assertClose(got.data, [0, 0, 0, 0.6, 0, 0.8], { rtol: 1e-15, atol: 0 });
      const tiny = evalFn((t) => sg.l2Normalize(t, 'C', 1), [x]);
      assertClose(tiny.data, tabulate(x.axes, x.sizes, (i) => get(x, i) / (i['B'] === 0 ? 1 : 5)).data, { rtol: 1e-15, atol: 0 });
    });
  });
});
