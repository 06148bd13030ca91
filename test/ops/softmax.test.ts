import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { shape, tensorOf, type ValueOptions } from '../../src/testing/index.js';
import { assertClose, assertShape, evalFn, get, gradientProperty, indices, nd, property, ravel, tabulate, type T } from '../support/op-cases.js';

/** A tensor of rank 1..3 and one of its axes. */
const axisCase = (values: ValueOptions = { min: -3, max: 3 }) =>
  shape({ minRank: 1, maxRank: 3 }).chain((s) => fc.record({ inputs: tensorOf(s.axes, s.sizes, values).map((x) => [x]), axis: fc.constantFrom(...s.axes) }));

/** Ties galore: values from {0, 1}, so the stabilising maximum is attained several times. */
const tiedCase = axisCase({ min: 0, max: 1 }).map((c) => ({ ...c, inputs: c.inputs.map((x) => nd(x.axes, x.sizes, x.data.map((v) => (v < 0.5 ? 0 : 1)))) }));

/** The rows along `axis`: for each index of the other axes, the values along it (in order). */
function rows(x: NDArray, axis: string): { axes: string[]; sizes: number[]; rows: number[][] } {
  const axes = x.axes.filter((a) => a !== axis);
  const sizes = axes.map((a) => x.sizes[x.axes.indexOf(a)]!);
  const out: number[][] = Array.from({ length: sizes.reduce((a, b) => a * b, 1) }, () => []);
  for (const idx of indices(x.axes, x.sizes)) out[ravel(sizes, axes.map((a) => idx[a]!))]!.push(get(x, idx));
  return { axes, sizes, rows: out };
}

const lse = (r: number[]) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((acc, v) => acc + Math.exp(v - m), 0));
};

const ops = {
  logSumExp: (axis: string) => (x: T) => sg.logSumExp(x, axis),
  softmax: (axis: string) => (x: T) => sg.softmax(x, axis),
  logSoftmax: (axis: string) => (x: T) => sg.logSoftmax(x, axis),
};

describe('ops/softmax', () => {
  for (const [name, op] of Object.entries(ops)) {
    describe(name, () => {
      it('gradient matches finite differences along a random axis', () => {
        gradientProperty(axisCase(), (c) => op(c.axis));
      });
      it('gradient matches finite differences when the maximum is tied (the shift is stopGradient)', () => {
        gradientProperty(tiedCase, (c) => op(c.axis));
      });
    });
  }

  it('logSumExp matches log(sum(exp)) by rows, and is shift-stable', () => {
    property(axisCase({ min: -30, max: 30 }), (c) => {
      const x = c.inputs[0]!;
      const r = rows(x, c.axis);
      const got = evalFn(ops.logSumExp(c.axis), [x]);
      assertShape(got, r.axes, r.sizes);
      assertClose(got.data, r.rows.map((row) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0))), { rtol: 1e-13, atol: 1e-13 });
      const big = evalFn(ops.logSumExp(c.axis), [nd(x.axes, x.sizes, x.data.map((v) => v + 1000))]);
      assertClose(big.data, got.data.map((v) => v + 1000), { rtol: 1e-14, atol: 1e-12 });
    });
  });

  it('softmax is positive, sums to 1 along the axis, equals exp(x - lse), and ignores a shift', () => {
    property(axisCase({ min: -30, max: 30 }), (c) => {
      const x = c.inputs[0]!;
      const r = rows(x, c.axis);
      const got = evalFn(ops.softmax(c.axis), [x]);
      assertShape(got, x.axes, x.sizes);
      const sums = rows(got, c.axis).rows.map((row) => row.reduce((a, b) => a + b, 0));
      assertClose(sums, sums.map(() => 1), { rtol: 0, atol: 1e-14 });
      // Rows span at most 60, and exp(-60) is far above underflow: every entry is strictly positive.
      assert.ok(got.data.every((v) => v > 0), 'softmax produced a non-positive value');
      const want = tabulate(x.axes, x.sizes, (idx) => Math.exp(get(x, idx) - lse(r.rows[ravel(r.sizes, r.axes.map((a) => idx[a]!))]!)));
      assertClose(got.data, want.data, { rtol: 1e-13, atol: 1e-300 });
      const shifted = evalFn(ops.softmax(c.axis), [nd(x.axes, x.sizes, x.data.map((v) => v + 700))]);
      assertClose(shifted.data, got.data, { rtol: 1e-12, atol: 1e-300 });
    });
  });

  it('logSoftmax = x - logSumExp = log(softmax)', () => {
    property(axisCase({ min: -30, max: 30 }), (c) => {
      const x = c.inputs[0]!;
      const r = rows(x, c.axis);
      const got = evalFn(ops.logSoftmax(c.axis), [x]);
      const want = tabulate(x.axes, x.sizes, (idx) => get(x, idx) - lse(r.rows[ravel(r.sizes, r.axes.map((a) => idx[a]!))]!));
      assertClose(got.data, want.data, { rtol: 1e-13, atol: 1e-13 });
      assertClose(got.data, evalFn(ops.softmax(c.axis), [x]).data.map(Math.log), { rtol: 1e-12, atol: 1e-12 });
    });
  });
});
