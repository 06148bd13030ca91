import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { sizesFor, tensorOf } from '../../src/testing/index.js';
import {
  assertClose,
  assertShape,
  assertShapeError,
  constant,
  einsumDyn,
  einsumSpec,
  evalFn,
  gradientProperty,
  indices,
  nd,
  permutation,
  property,
  ravel,
  type T,
} from '../support/op-cases.js';

const POOL = ['A', 'B', 'C', 'D'] as const;

interface EinsumCase {
  readonly inputs: NDArray[];
  readonly terms: string[][];
  readonly output: string[];
}

/** `count` operands whose axes are random subsets (in random order) of shared labels, and a random output. */
function einsumCase(count: number): fc.Arbitrary<EinsumCase> {
  return sizesFor(POOL).chain((sizes) =>
    fc.array(fc.shuffledSubarray([...POOL]), { minLength: count, maxLength: count }).chain((terms) => {
      const used = [...new Set(terms.flat())];
      return fc.tuple(fc.tuple(...terms.map((t) => tensorOf(t, t.map((l) => sizes[l as (typeof POOL)[number]])))), fc.shuffledSubarray(used)).map(([inputs, output]) => ({
        inputs,
        terms,
        output,
      }));
    }),
  );
}

/** Explicit loops over every label: out[o] = sum over the other labels of the product of the operands. */
function einsumReference(inputs: readonly NDArray[], output: readonly string[]): NDArray {
  const labels: string[] = [];
  const sizeOf = new Map<string, number>();
  inputs.forEach((x) =>
    x.axes.forEach((l, i) => {
      if (!sizeOf.has(l)) labels.push(l);
      sizeOf.set(l, x.sizes[i]!);
    }),
  );
  const outSizes = output.map((l) => sizeOf.get(l)!);
  const out = new Float64Array(outSizes.reduce((a, b) => a * b, 1));
  for (const idx of indices(labels, labels.map((l) => sizeOf.get(l)!))) {
    let p = 1;
    for (const x of inputs) p *= x.data[ravel(x.sizes, x.axes.map((l) => idx[l]!))]!;
    const o = ravel(outSizes, output.map((l) => idx[l]!));
    out[o] = out[o]! + p;
  }
  return nd(output, outSizes, out);
}

/** x and y sharing the contracted axis K and maybe batch axes. */
const contractCase = sizesFor([...POOL, 'K']).chain((sizes) =>
  fc
    .tuple(fc.subarray([...POOL]), fc.subarray([...POOL]))
    .chain(([xs, ys]) => fc.tuple(permutation([...xs, 'K']), permutation([...ys, 'K'])))
    .chain(([xa, ya]) =>
      fc.tuple(tensorOf(xa, xa.map((l) => sizes[l as 'K'])), tensorOf(ya, ya.map((l) => sizes[l as 'K']))).map(([x, y]) => ({ inputs: [x, y] })),
    ),
);

describe('ops/einsum', () => {
  for (const count of [1, 2, 3]) {
    describe(`${count} operand${count > 1 ? 's' : ''}`, () => {
      it('gradient matches finite differences for every operand (random terms and output)', () => {
        gradientProperty(einsumCase(count), (c) => (...xs: T[]) => einsumDyn(einsumSpec(c.terms, c.output), ...xs));
      });
      it('matches explicit loops over every label', () => {
        property(einsumCase(count), (c) => {
          const want = einsumReference(c.inputs, c.output);
          const got = evalFn((...xs) => einsumDyn(einsumSpec(c.terms, c.output), ...xs), c.inputs);
          assertShape(got, want.axes, want.sizes);
          assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
        });
      });
    });
  }

  describe('contract', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(contractCase, () => (x: T, y: T) => sg.contract(x, y, 'K'));
    });
    it("sums over K; x's other axes, then y's new ones", () => {
      property(contractCase, (c) => {
        const [x, y] = c.inputs as [NDArray, NDArray];
        const output = [...x.axes.filter((l) => l !== 'K'), ...y.axes.filter((l) => l !== 'K' && !x.axes.includes(l))];
        const want = einsumReference([x, y], output);
        const got = evalFn((a, b) => sg.contract(a, b, 'K'), [x, y]);
        assertShape(got, want.axes, want.sizes);
        assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
      });
    });
    it('a missing axis is an error naming it', () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      const y = constant(nd(['D'], [3], new Float64Array(3)), 'y');
      assertShapeError(() => sg.contract(x, y, 'C' as never), 'contract', "'y'", 'axis C', '[D]');
    });
  });

  describe('typed use', () => {
    it('matmul', () => {
      const x = sg.fromArray([1, 2, 3, 4, 5, 6], ['B', 'C'], { B: 2, C: 3 });
      const w = sg.fromArray([1, 0, 0, 1, 1, 1], ['C', 'D'], { C: 3, D: 2 });
      const y = sg.einsum('B C, C D -> B D', x, w);
      assert.deepEqual(Array.from(sg.valueOf(y)), [4, 5, 10, 11]);
      assert.deepEqual(y.axes, ['B', 'D']);
    });
  });

  describe('shape errors', () => {
    it("binding x with C=64 and w with C=32 names C, 64 and 32", () => {
      const x = sg.fromArray(new Float64Array(64), ['B', 'C'], { B: 1, C: 64 }, { name: 'x' });
      const w = sg.fromArray(new Float64Array(32), ['C', 'D'], { C: 32, D: 1 }, { name: 'w' });
      assertShapeError(() => sg.einsum('B C, C D -> B D', x, w), 'C', '64', '32', "'x'", "'w'");
    });
    it('a size disagreement in any pair of operands names the label and both sizes', () => {
      property(
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 9 }), fc.constantFrom(2, 3)),
        ([n, m, count]) => {
          const xs = [constant(nd(['A', 'K'], [2, n], new Float64Array(2 * n))), constant(nd(['K', 'B'], [m, 1], new Float64Array(m)))];
          if (count === 3) xs.unshift(constant(nd(['A'], [2], [0, 0])));
          const terms = xs.map((x) => [...x.axes]);
          assertShapeError(() => einsumDyn(einsumSpec(terms, ['A', 'B']), ...xs), 'axis K', `${n}`, `${m}`);
        },
      );
    });
    it("an operand whose axes are not its term, a bad output, a repeated axis, a wrong operand count", () => {
      const x = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)), 'x');
      const w = constant(nd(['C', 'D'], [3, 4], new Float64Array(12)), 'w');
      assertShapeError(() => einsumDyn('C B, C D -> B D', x, w), 'operand 1', "'x'", '[B, C]', '[C, B]');
      assertShapeError(() => einsumDyn('B C, C D -> B E', x, w), 'output axis E');
      assertShapeError(() => einsumDyn('B C, C D -> B B', x, w), 'axis B is repeated');
      assertShapeError(() => einsumDyn('B C, C D -> B D', x), '2 operands but 1');
      assertShapeError(() => einsumDyn('B C, C D', x, w), "'->'");
    });
  });

  it('refuses an operand that is not a Tensor, saying which', () => {
    const w = sg.fromArray([1, 2, 3], ['I'], [3]);
    assert.throws(() => sg.einsum('I, I ->', [1, 2, 3] as never, w), (e: unknown) => e instanceof TypeError && /einsum: operand 0 is an array of 3, not a Tensor \(wrap data with fromArray\)/.test(e.message));
  });
});
