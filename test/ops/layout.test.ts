import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { axisSize, shape, tensorOf } from '../../src/testing/index.js';
import {
  assertSameData,
  assertShape,
  assertShapeError,
  constant,
  evalFn,
  get,
  gradientProperty,
  nd,
  permutation,
  property,
  tabulate,
  type T,
} from '../support/op-cases.js';

const someTensor = (minRank = 0, maxRank = 3) => shape({ minRank, maxRank }).chain((s) => tensorOf(s.axes, s.sizes));

/** x plus a target: x's axes and up to two new ones (P, Q), in a random order. */
const broadcastCase = shape({ minRank: 0, maxRank: 3 }).chain((s) =>
  fc
    .tuple(tensorOf(s.axes, s.sizes), fc.subarray(['P', 'Q']), fc.tuple(axisSize(), axisSize()))
    .chain(([x, added, [p, q]]) =>
      permutation([...s.axes, ...added]).map((axes) => {
        const sizeOf = (a: string) => (a === 'P' ? p : a === 'Q' ? q : s.sizes[s.axes.indexOf(a)]!);
        return { inputs: [x], axes, sizes: axes.map(sizeOf) };
      }),
    ),
);

/** x plus a new shape with the same number of elements: its sizes permuted, maybe with extra 1s, under new names. */
const reshapeCase = someTensor().chain((x) =>
  fc.tuple(permutation([...x.sizes]), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 })).map(([sizes, ones]) => {
    const target = [...sizes];
    for (const at of ones) target.splice(Math.min(at, target.length), 0, 1);
    return { inputs: [x], axes: target.map((_, i) => `R${i}`), sizes: target };
  }),
);

const transposeCase = someTensor().chain((x) => permutation(x.axes).map((axes) => ({ inputs: [x], axes })));

const flattenCase = someTensor(2, 3).chain((x) => fc.integer({ min: 0, max: x.axes.length - 2 }).map((i) => ({ inputs: [x], a: x.axes[i]!, b: x.axes[i + 1]! })));

/** All ways to write n as an ordered product of `parts` positive integers. */
function factorizations(n: number, parts: number): number[][] {
  if (parts === 1) return [[n]];
  const out: number[][] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) for (const rest of factorizations(n / d, parts - 1)) out.push([d, ...rest]);
  return out;
}

const unflattenCase = shape({ minRank: 1, maxRank: 3, max: 6 }).chain((s) =>
  fc.tuple(tensorOf(s.axes, s.sizes), fc.integer({ min: 0, max: s.axes.length - 1 }), fc.integer({ min: 1, max: 3 })).chain(([x, d, parts]) =>
    fc.constantFrom(...factorizations(s.sizes[d]!, parts)).map((sizes) => ({ inputs: [x], axis: s.axes[d]!, into: sizes.map((_, i) => `U${i}`), sizes })),
  ),
);

const renameCase = someTensor().chain((x) =>
  fc.subarray([...x.axes]).map((renamed) => ({ inputs: [x], mapping: Object.fromEntries(renamed.map((a) => [a, `${a}2`])) as Record<string, string> })),
);

describe('ops/layout', () => {
  describe('broadcast', () => {
    it('gradient matches finite differences (new axes anywhere, own axes reordered)', () => {
      gradientProperty(broadcastCase, (c) => (x: T) => sg.broadcast(x, c.axes, c.sizes));
    });
    it('out[i] = x[i restricted to its axes]', () => {
      property(broadcastCase, (c) => {
        const x = c.inputs[0]!;
        const got = evalFn((t) => sg.broadcast(t, c.axes, c.sizes), [x]);
        assertShape(got, c.axes, c.sizes);
        assertSameData(got.data, tabulate(c.axes, c.sizes, (idx) => get(x, idx)).data);
        // broadcastLike agrees
        const like = constant(nd(c.axes, c.sizes, new Float64Array(got.data.length)));
        assertSameData(evalFn((t) => sg.broadcastLike(t, like), [x]).data, got.data, 'broadcastLike');
      });
    });
    it('errors name the axis and sizes', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      assertShapeError(() => sg.broadcast(x, ['B', 'C', 'D'] as string[], [2, 4, 5]), 'broadcast', 'axis C', '3', '4', "'x'");
      assertShapeError(() => sg.broadcast(x, ['B', 'D'] as never, [2, 5]), 'broadcast', 'lack axis C');
      assertShapeError(() => sg.broadcast(x, ['B', 'C', 'B'] as string[], [2, 3, 2]), 'broadcast', 'axis B appears twice');
    });
  });

  describe('reshape', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(reshapeCase, (c) => (x: T) => sg.reshape(x, c.axes, c.sizes));
    });
    it('keeps the row-major data', () => {
      property(reshapeCase, (c) => {
        const got = evalFn((t) => sg.reshape(t, c.axes, c.sizes), c.inputs);
        assertShape(got, c.axes, c.sizes);
        assertSameData(got.data, c.inputs[0]!.data);
      });
    });
    it('a different element count is an error giving both counts', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      assertShapeError(() => sg.reshape(x, ['N'], [5]), 'reshape', "'x'", '6 elements', '[N=5]', 'has 5');
    });
  });

  describe('transpose', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(transposeCase, (c) => (x: T) => sg.transpose(x, c.axes));
    });
    it('out[i] = x[i] by axis name', () => {
      property(transposeCase, (c) => {
        const x = c.inputs[0]!;
        const sizes = c.axes.map((a) => x.sizes[x.axes.indexOf(a)]!);
        const got = evalFn((t) => sg.transpose(t, c.axes), [x]);
        assertShape(got, c.axes, sizes);
        assertSameData(got.data, tabulate(c.axes, sizes, (idx) => get(x, idx)).data);
      });
    });
    it('a non-permutation is an error', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      assertShapeError(() => sg.transpose(x, ['B', 'D'] as never), 'transpose', '[B, D]', 'not a permutation', '[B, C]');
      assertShapeError(() => sg.transpose(x, ['B'] as never), 'transpose', 'not a permutation');
    });
  });

  describe('flatten', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(flattenCase, (c) => (x: T) => sg.flatten(x, c.a, c.b));
    });
    it("merges the adjacent pair into 'A*B' with the product size, data unchanged", () => {
      property(flattenCase, (c) => {
        const x = c.inputs[0]!;
        const i = x.axes.indexOf(c.a);
        const got = evalFn((t) => sg.flatten(t, c.a, c.b), [x]);
        const axes = [...x.axes];
        axes.splice(i, 2, `${c.a}*${c.b}`);
        const sizes = [...x.sizes];
        sizes.splice(i, 2, x.sizes[i]! * x.sizes[i + 1]!);
        assertShape(got, axes, sizes);
        assertSameData(got.data, x.data);
      });
    });
    it('non-adjacent or reversed axes are an error', () => {
      const x = constant(nd(['A', 'B', 'C'], [2, 3, 4], new Float64Array(24)));
      assertShapeError(() => sg.flatten(x, 'A', 'C'), 'flatten', 'adjacent');
      assertShapeError(() => sg.flatten(x, 'B', 'A'), 'flatten', 'adjacent');
      assertShapeError(() => sg.flatten(x, 'Z' as 'A', 'B'), 'flatten', 'axis Z');
    });
  });

  describe('unflatten', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(unflattenCase, (c) => (x: T) => sg.unflatten(x, c.axis, c.into, c.sizes));
    });
    it('splits the axis in place, data unchanged; flatten undoes it', () => {
      property(unflattenCase, (c) => {
        const x = c.inputs[0]!;
        const i = x.axes.indexOf(c.axis);
        const got = evalFn((t) => sg.unflatten(t, c.axis, c.into, c.sizes), [x]);
        const axes = [...x.axes];
        axes.splice(i, 1, ...c.into);
        const sizes = [...x.sizes];
        sizes.splice(i, 1, ...c.sizes);
        assertShape(got, axes, sizes);
        assertSameData(got.data, x.data);
        if (c.into.length === 2) {
          const back = evalFn((t) => sg.flatten(sg.unflatten(t, c.axis, c.into, c.sizes) as T, c.into[0]!, c.into[1]!), [x]);
          assertSameData(back.data, x.data);
          assertShape(back, x.axes.map((a) => (a === c.axis ? 'U0*U1' : a)), x.sizes);
        }
      });
    });
    it('sizes that do not multiply to the axis size are an error', () => {
      const x = constant(nd(['B', 'C'], [2, 6], new Float64Array(12)));
      assertShapeError(() => sg.unflatten(x, 'C', ['P', 'Q'], [4, 2]), 'unflatten', 'axis C', 'size 6', '[P=4, Q=2]', '8');
      assertShapeError(() => sg.unflatten(x, 'C', ['P', 'Q'], { P: 2 }), 'unflatten', 'no size bound for axis Q');
    });
  });

  describe('rename', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(renameCase, (c) => (x: T) => sg.rename(x, c.mapping));
    });
    it('renames the mapped axes only, data unchanged', () => {
      property(renameCase, (c) => {
        const x = c.inputs[0]!;
        const got: NDArray = evalFn((t) => sg.rename(t, c.mapping), [x]);
        assertShape(got, x.axes.map((a) => c.mapping[a] ?? a), x.sizes);
        assertSameData(got.data, x.data);
      });
    });
    it('renaming a missing axis or onto an existing name is an error', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      assertShapeError(() => sg.rename(x, { D: 'E' } as never), 'rename', 'axis D');
      assert.throws(() => sg.rename(x, { B: 'C' }), sg.ShapeError);
    });
  });
});
