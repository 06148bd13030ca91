import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { axisSize, shape, tensorOf, value } from '../../src/testing/index.js';
import {
  assertClose,
  assertSameData,
  assertShape,
  assertShapeError,
  constant,
  evalFn,
  get,
  gradientProperty,
  nd,
  property,
  tabulate,
  type T,
} from '../support/op-cases.js';

/** A tensor, one of its axes, and random in-range bounds start <= stop <= n with step 1..3. */
const sliceCase = shape({ minRank: 1, maxRank: 3, max: 5 }).chain((s) =>
  fc.tuple(tensorOf(s.axes, s.sizes), fc.integer({ min: 0, max: s.axes.length - 1 })).chain(([x, d]) => {
    const n = s.sizes[d]!;
    return fc
      .tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: 3 }))
      .map(([p, q, step]) => ({ inputs: [x], axis: s.axes[d]!, start: Math.min(p, q), stop: Math.max(p, q), step }));
  }),
);

const padCase = shape({ minRank: 1, maxRank: 3 }).chain((s) =>
  fc.record({
    inputs: tensorOf(s.axes, s.sizes).map((x) => [x]),
    axis: fc.constantFrom(...s.axes),
    lo: fc.integer({ min: 0, max: 2 }),
    hi: fc.integer({ min: 0, max: 2 }),
    interior: fc.integer({ min: 0, max: 2 }),
    value: value(),
  }),
);

/** 1..3 tensors with the same axes, differing (possibly 0) sizes along one of them. */
const concatCase = shape({ minRank: 1, maxRank: 3 }).chain((s) =>
  fc.tuple(fc.integer({ min: 0, max: s.axes.length - 1 }), fc.array(axisSize({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([d, lengths]) =>
    fc.tuple(...lengths.map((n) => tensorOf(s.axes, s.sizes.map((m, i) => (i === d ? n : m))))).map((inputs) => ({ inputs, axis: s.axes[d]! })),
  ),
);

const sliceLength = (start: number, stop: number, step: number) => Math.max(0, Math.ceil((stop - start) / step));

function padReference(x: NDArray, axis: string, lo: number, hi: number, interior: number, fill: number): NDArray {
  const d = x.axes.indexOf(axis);
  const n = x.sizes[d]!;
  const sizes = x.sizes.map((m, i) => (i === d ? lo + n + Math.max(0, n - 1) * interior + hi : m));
  return tabulate(x.axes, sizes, (idx) => {
    const j = idx[axis]! - lo;
    if (j < 0 || j % (interior + 1) !== 0 || j / (interior + 1) >= n) return fill;
    return get(x, { ...idx, [axis]: j / (interior + 1) });
  });
}

describe('ops/slicing', () => {
  describe('slice', () => {
    it('gradient matches finite differences (random bounds and steps, empty slices included)', () => {
      gradientProperty(sliceCase, (c) => (x: T) => sg.slice(x, c.axis, c.start, c.stop, c.step));
    });
    it('out[k] = x[start + k * step] along the axis', () => {
      property(sliceCase, (c) => {
        const x = c.inputs[0]!;
        const d = x.axes.indexOf(c.axis);
        const sizes = x.sizes.map((m, i) => (i === d ? sliceLength(c.start, c.stop, c.step) : m));
        const got = evalFn((t) => sg.slice(t, c.axis, c.start, c.stop, c.step), [x]);
        assertShape(got, x.axes, sizes);
        assertSameData(got.data, tabulate(x.axes, sizes, (idx) => get(x, { ...idx, [c.axis]: c.start + idx[c.axis]! * c.step })).data);
      });
    });
    it('out-of-range or malformed bounds are an error naming the axis and its size', () => {
      property(
        shape({ minRank: 1, maxRank: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.axes.length - 1 }), fc.constantFrom('past', 'negative', 'reversed', 'step0', 'fraction')),
        ),
        ([s, d, kind]) => {
          const x = constant(nd(s.axes, s.sizes, new Float64Array(s.sizes.reduce((a, b) => a * b, 1))), 'x');
          const n = s.sizes[d]!;
          const [start, stop, step] = { past: [0, n + 1, 1], negative: [-1, n, 1], reversed: [n, 0, 1], step0: [0, n, 0], fraction: [0, n, 0.5] }[kind] as [number, number, number];
          if (kind === 'reversed' && n === 0) return;
          assertShapeError(() => sg.slice(x, s.axes[d]!, start, stop, step), 'slice', `axis ${s.axes[d]}`, `size ${n}`, "'x'");
        },
      );
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      assertShapeError(() => sg.slice(x, 'C', 0, 4), 'slice', '[0:4:1]', 'axis C (size 3)');
      assertShapeError(() => sg.slice(x, 'D' as 'C', 0, 1), 'slice', 'axis D', '[B, C]');
    });
  });

  describe('pad', () => {
    it('gradient matches finite differences (random lo, hi, interior)', () => {
      gradientProperty(padCase, (c) => (x: T) => sg.pad(x, c.axis, c.lo, c.hi, c.interior, c.value));
    });
    it('places x[k] at lo + k * (interior + 1), the fill value elsewhere', () => {
      property(padCase, (c) => {
        const x = c.inputs[0]!;
        const want = padReference(x, c.axis, c.lo, c.hi, c.interior, c.value);
        const got = evalFn((t) => sg.pad(t, c.axis, c.lo, c.hi, c.interior, c.value), [x]);
        assertShape(got, want.axes, want.sizes);
        assertSameData(got.data, want.data);
      });
    });
    it('slicing the padding off gives x back', () => {
      property(padCase, (c) => {
        const x = c.inputs[0]!;
        const n = x.sizes[x.axes.indexOf(c.axis)]!;
        const got = evalFn((t) => sg.slice(sg.pad(t, c.axis, c.lo, c.hi, c.interior, c.value), c.axis, c.lo, c.lo + (n - 1) * (c.interior + 1) + 1, c.interior + 1), [x]);
        assertSameData(got.data, x.data);
      });
    });
    it('an empty axis pads to lo + hi', () => {
      const got = evalFn((t) => sg.pad(t, 'C', 1, 2, 3, 7), [nd(['B', 'C'], [2, 0], [])]);
      assertShape(got, ['B', 'C'], [2, 3]);
      assertSameData(got.data, [7, 7, 7, 7, 7, 7]);
    });
    it('negative or fractional amounts are an error naming the axis', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)));
      assertShapeError(() => sg.pad(x, 'C', -1, 0), 'pad', 'lo=-1', 'axis C');
      assertShapeError(() => sg.pad(x, 'B', 0, 1.5), 'pad', 'hi=1.5', 'axis B');
      assertShapeError(() => sg.pad(x, 'B', 0, 0, -2), 'pad', 'interior=-2');
      assertShapeError(() => sg.pad(x, 'D' as 'B', 0, 0), 'pad', 'axis D');
    });
  });

  describe('concat', () => {
    it('gradient matches finite differences for every part', () => {
      gradientProperty(concatCase, (c) => (...xs: T[]) => sg.concat(xs, c.axis));
    });
    it('part k lands after the parts before it', () => {
      property(concatCase, (c) => {
        const d = c.inputs[0]!.axes.indexOf(c.axis);
        const starts: number[] = [];
        let total = 0;
        for (const x of c.inputs) {
          starts.push(total);
          total += x.sizes[d]!;
        }
        const first = c.inputs[0]!;
        const sizes = first.sizes.map((m, i) => (i === d ? total : m));
        const want = tabulate(first.axes, sizes, (idx) => {
          const j = idx[c.axis]!;
          const k = starts.findIndex((s, i) => s <= j && j < s + c.inputs[i]!.sizes[d]!);
          return get(c.inputs[k]!, { ...idx, [c.axis]: j - starts[k]! });
        });
        const got = evalFn((...xs) => sg.concat(xs, c.axis), c.inputs);
        assertShape(got, first.axes, sizes);
        assertSameData(got.data, want.data);
      });
    });
    it('mismatched axes or sizes are an error naming the axis and both sizes', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      const y = constant(nd(['B', 'C'], [4, 3], new Float64Array(12)), 'y');
      const z = constant(nd(['C', 'B'], [3, 2], new Float64Array(6)), 'z');
      assertShapeError(() => sg.concat([x, y], 'C'), 'concat', 'axis B', 'size 2', '4', "'x'", "'y'");
      assertShapeError(() => sg.concat([x, z], 'B'), 'concat', "'z'", '[C, B]', '[B, C]');
      assertShapeError(() => sg.concat([x, y], 'D'), 'concat', 'axis D');
      assertShapeError(() => sg.concat([], 'B'), 'concat', 'at least one');
    });
  });

  describe('addAll', () => {
    it('gradient matches finite differences, value is the elementwise sum', () => {
      const arb = shape({ minRank: 0, maxRank: 3 }).chain((s) => fc.integer({ min: 1, max: 4 }).chain((k) => fc.array(tensorOf(s.axes, s.sizes), { minLength: k, maxLength: k }).map((inputs) => ({ inputs }))));
      gradientProperty(arb, () => (...xs: T[]) => sg.addAll(xs));
      property(arb, (c) => {
        const want = c.inputs[0]!.data.map((_, i) => c.inputs.reduce((acc, x) => acc + x.data[i]!, 0));
        assertClose(evalFn((...xs) => sg.addAll(xs), c.inputs).data, want, { rtol: 1e-15, atol: 1e-15 });
      });
      assertShapeError(() => sg.addAll([]), 'addAll');
    });
  });
});
