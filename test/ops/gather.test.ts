import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { axisSize, shape, tensorOf } from '../../src/testing/index.js';
import {
  assertClose,
  assertSameData,
  assertShape,
  assertShapeError,
  assertZeroGradients,
  autodiffGradients,
  constant,
  evalFn,
  get,
  gradientProperty,
  indices,
  nd,
  property,
  tabulate,
  type T,
} from '../support/op-cases.js';

/** Integer indices in [0, n) with axes I, J (rank minRank..2). */
const indexTensor = (n: number, minRank = 0) =>
  shape({ minRank, maxRank: 2, names: ['I', 'J'] }).chain((s) =>
    fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: s.sizes.reduce((a, b) => a * b, 1), maxLength: s.sizes.reduce((a, b) => a * b, 1) }).map((v) => nd(s.axes, s.sizes, v)),
  );

/** x of random shape, one of its axes, and random indices into it (scalar indices included). */
const gatherCase = shape({ minRank: 1, maxRank: 3 }).chain((s) =>
  fc.integer({ min: 0, max: s.axes.length - 1 }).chain((d) =>
    fc.record({ inputs: tensorOf(s.axes, s.sizes).map((x) => [x]), axis: fc.constant(s.axes[d]!), idx: indexTensor(s.sizes[d]!) }),
  ),
);

function gatherReference(x: NDArray, axis: string, idx: NDArray): NDArray {
  const d = x.axes.indexOf(axis);
  const axes = [...x.axes.slice(0, d), ...idx.axes, ...x.axes.slice(d + 1)];
  const sizes = [...x.sizes.slice(0, d), ...idx.sizes, ...x.sizes.slice(d + 1)];
  return tabulate(axes, sizes, (at) => get(x, { ...at, [axis]: get(idx, at) }));
}

/** u with the index axes (rank 1..2) somewhere in the middle, the size of the restored axis Z, and indices into it. */
const scatterCase = fc
  .tuple(axisSize(), shape({ minRank: 0, maxRank: 2, names: ['A', 'B'] }), fc.integer({ min: 0, max: 2 }))
  .chain(([n, outer, at]) =>
    indexTensor(n, 1).chain((idx) => {
      const k = Math.min(at, outer.axes.length);
      const axes = [...outer.axes.slice(0, k), ...idx.axes, ...outer.axes.slice(k)];
      const sizes = [...outer.sizes.slice(0, k), ...idx.sizes, ...outer.sizes.slice(k)];
      return tensorOf(axes, sizes).map((u) => ({ inputs: [u], idx, n, k }));
    }),
  );

describe('ops/gather', () => {
  describe('gather', () => {
    it('gradient matches finite differences (random axis, random indices with repeats, scalar indices)', () => {
      gradientProperty(gatherCase, (c) => (x: T) => sg.gather(x, c.axis, constant(c.idx)));
    });
    it('out[.., i.., ..] = x[.., idx[i..], ..]', () => {
      property(gatherCase, (c) => {
        const want = gatherReference(c.inputs[0]!, c.axis, c.idx);
        const got = evalFn((x) => sg.gather(x, c.axis, constant(c.idx)), c.inputs);
        assertShape(got, want.axes, want.sizes);
        assertSameData(got.data, want.data);
      });
    });
    it('the indices get exactly zero gradient', () => {
      property(gatherCase, (c) => {
        const [, gi] = autodiffGradients((x, i) => sg.gather(x, c.axis, i), [c.inputs[0]!, c.idx]);
        assertSameData(gi!.data, new Float64Array(c.idx.data.length));
      });
    });
    it('an index outside the axis is a RangeError naming it; clashing axes are a ShapeError', () => {
      const x = constant(nd(['B', 'C'], [2, 3], [1, 2, 3, 4, 5, 6]), 'x');
      assert.throws(() => sg.valueOf(sg.gather(x, 'C', constant(nd(['I'], [2], [0, 3])))), /gather: index 3 is outside \[0, 3\) for axis C/);
      assert.throws(() => sg.valueOf(sg.gather(x, 'C', constant(nd(['I'], [1], [-1])))), /index -1 is outside/);
      assert.throws(() => sg.valueOf(sg.gather(x, 'C', constant(nd(['I'], [1], [0.5])))), /index 0.5 is outside/);
      assertShapeError(() => sg.gather(x, 'C', constant(nd(['B'], [1], [0]))), 'gather', 'axis B appears twice');
      assertShapeError(() => sg.gather(x, 'D' as 'C', constant(nd(['I'], [1], [0]))), 'gather', 'axis D');
    });
  });

  describe('scatterAdd', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(scatterCase, (c) => (u: T) => sg.scatterAdd(u, constant(c.idx), 'Z', c.n));
    });
    it('adds each slice of u into row idx[i], repeats accumulating', () => {
      property(scatterCase, (c) => {
        const u = c.inputs[0]!;
        const outAxes = [...u.axes.slice(0, c.k), 'Z', ...u.axes.slice(c.k + c.idx.axes.length)];
        const outSizes = [...u.sizes.slice(0, c.k), c.n, ...u.sizes.slice(c.k + c.idx.axes.length)];
        const want = nd(outAxes, outSizes, new Float64Array(outSizes.reduce((a, b) => a * b, 1)));
        const outIdx = [...indices(outAxes, outSizes)];
        for (const at of indices(u.axes, u.sizes)) {
          const target: Record<string, number> = { ...at, Z: get(c.idx, at) };
          const o = outIdx.findIndex((r) => outAxes.every((a) => r[a] === target[a]));
          want.data[o] = want.data[o]! + get(u, at);
        }
        const got = evalFn((t) => sg.scatterAdd(t, constant(c.idx), 'Z', c.n), [u]);
        assertShape(got, outAxes, outSizes);
        assertClose(got.data, want.data, { rtol: 1e-15, atol: 1e-15 });
      });
    });
    it('is the transpose of gather: <gather(x), u> = <x, scatterAdd(u)>', () => {
      const arb = scatterCase.chain((c) => {
        const u = c.inputs[0]!;
        const xAxes = [...u.axes.slice(0, c.k), 'Z', ...u.axes.slice(c.k + c.idx.axes.length)];
        const xSizes = [...u.sizes.slice(0, c.k), c.n, ...u.sizes.slice(c.k + c.idx.axes.length)];
        return tensorOf(xAxes, xSizes).map((x) => ({ ...c, x }));
      });
      property(arb, (c) => {
        const u = c.inputs[0]!;
        const gx = evalFn((t) => sg.gather(t, 'Z', constant(c.idx)), [c.x]);
        const su = evalFn((t) => sg.scatterAdd(t, constant(c.idx), 'Z', c.n), [u]);
        const dot = (a: Float64Array, b: Float64Array) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
        assertShape(gx, u.axes, u.sizes);
        assertClose([dot(gx.data, u.data)], [dot(c.x.data, su.data)], { rtol: 1e-12, atol: 1e-12 });
      });
    });
    it('index axes that are not together in u are an error', () => {
      const u = constant(nd(['I', 'B', 'J'], [2, 1, 2], new Float64Array(4)), 'u');
      assertShapeError(() => sg.scatterAdd(u, constant(nd(['I', 'J'], [2, 2], [0, 0, 0, 0])), 'Z', 3), 'scatterAdd', '[I, J]', "'u'");
      assertShapeError(() => sg.scatterAdd(u, constant(nd([], [], [0])), 'Z', 3), 'scatterAdd', '[]');
    });
  });

  describe('oneHot', () => {
    const oneHotCase = axisSize().chain((n) => indexTensor(n).map((idx) => ({ idx, n })));
    it('a new last axis with 1 at each index', () => {
      property(oneHotCase, (c) => {
        const got = evalFn((i) => sg.oneHot(i, 'K', c.n), [c.idx]);
        assertShape(got, [...c.idx.axes, 'K'], [...c.idx.sizes, c.n]);
        assertSameData(got.data, tabulate([...c.idx.axes, 'K'], [...c.idx.sizes, c.n], (at) => (get(c.idx, at) === at['K'] ? 1 : 0)).data);
      });
    });
    it('the indices get exactly zero gradient, and mul(x, oneHot) passes the gradient through where it is 1', () => {
      property(
        oneHotCase.chain((c) => tensorOf([...c.idx.axes, 'K'], [...c.idx.sizes, c.n]).map((x) => ({ ...c, x }))),
        (c) => {
          assertZeroGradients((i) => sg.oneHot(i, 'K', c.n), [c.idx]);
          const [gx, gi] = autodiffGradients((x, i) => sg.mul(x, sg.oneHot(i, 'K', c.n) as T), [c.x, c.idx]);
          assertSameData(gi!.data, new Float64Array(c.idx.data.length));
          const hot = evalFn((i) => sg.oneHot(i, 'K', c.n), [c.idx]).data;
          gx!.data.forEach((v, j) => assert.ok(hot[j] === 1 || v === 0, `gradient ${v} where oneHot is 0`));
        },
      );
      gradientProperty(
        oneHotCase.chain((c) => tensorOf([...c.idx.axes, 'K'], [...c.idx.sizes, c.n]).map((x) => ({ ...c, inputs: [x] }))),
        (c) => (x: T) => sg.mul(x, sg.oneHot(constant(c.idx), 'K', c.n) as T),
      );
    });
    it('an index outside [0, size) is a RangeError; a clashing axis a ShapeError', () => {
      assert.throws(() => sg.valueOf(sg.oneHot(constant(nd(['I'], [2], [0, 4])), 'K', 4)), /oneHot: index 4 is outside \[0, 4\) for axis K/);
      assertShapeError(() => sg.oneHot(constant(nd(['I'], [2], [0, 1])), 'I', 4), 'oneHot', 'axis I appears twice');
    });
  });
});
