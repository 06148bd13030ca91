import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { IndexExpr } from '../../../src/compile/kernel-ir.js';
import { mergedIndex } from '../../../src/compile/wasm/merge-split-axes.js';
import { stridesOf } from '../../../src/runtime/ndarray.js';

const int = (value: number): IndexExpr => ({ kind: 'int', value });
const thread = (axis: number): IndexExpr => ({ kind: 'thread', axis });
const idiv = (a: IndexExpr, b: number): IndexExpr => ({ kind: 'idiv', a, b: int(b) });
const imod = (a: IndexExpr, b: number): IndexExpr => ({ kind: 'imod', a, b: int(b) });

function evaluate(e: IndexExpr, threads: readonly number[]): number {
  switch (e.kind) {
    case 'thread':
      return threads[e.axis]!;
    case 'int':
      return e.value;
    case 'iadd':
      return evaluate(e.a, threads) + evaluate(e.b, threads);
    case 'imul':
      return evaluate(e.a, threads) * evaluate(e.b, threads);
    case 'idiv':
      return Math.floor(evaluate(e.a, threads) / evaluate(e.b, threads));
    case 'imod': {
      const b = evaluate(e.b, threads);
      return ((evaluate(e.a, threads) % b) + b) % b;
    }
    default:
      throw new Error(`not in these tests: ${e.kind}`);
  }
}

const flat = (index: readonly IndexExpr[], sizes: readonly number[], threads: readonly number[]) => {
  const st = stridesOf(sizes);
  return index.reduce((s, e, d) => s + evaluate(e, threads) * st[d]!, 0);
};

/** The index a reshape of a flat axis x into `sizes` reads: [x / (s1 s2 ..), (x / (s2 ..)) % s1, .., x % s_last]. */
function unflattened(x: IndexExpr, sizes: readonly number[]): IndexExpr[] {
  return sizes.map((_, d) => {
    const inner = sizes.slice(d + 1).reduce((a, b) => a * b, 1);
    const quotient = inner === 1 ? x : idiv(x, inner);
    return d === 0 ? quotient : imod(quotient, sizes[d]!);
  });
}

describe('compile/wasm/merge-split-axes', () => {
  it("merges XCiT's head split and its chain: [x / 16, x % 16] and [x / 64, (x / 16) % 4, x % 16] read [0, x] and [0, 0, x]", () => {
    const x = thread(1);
    assert.deepEqual(mergedIndex([thread(0), idiv(x, 16), imod(x, 16)], [64, 4, 16]), [thread(0), int(0), x]);
    assert.deepEqual(mergedIndex([idiv(x, 64), imod(idiv(x, 16), 4), imod(x, 16)], [3, 4, 16]), [int(0), int(0), x]);
    // A remainder left where the chain stops: (x / 16) % 4 and x % 16 of a larger x are x % 64.
    assert.deepEqual(mergedIndex([thread(0), imod(idiv(x, 16), 4), imod(x, 16)], [5, 4, 16]), [thread(0), int(0), imod(x, 64)]);
  });

  it('leaves alone what is not one split axis: other variables, other divisors, other extents', () => {
    const cases: IndexExpr[][] = [
      [idiv(thread(0), 16), imod(thread(1), 16)],
      [idiv(thread(0), 8), imod(thread(0), 16)],
      [idiv(thread(0), 16), imod(thread(0), 8)],
      [imod(idiv(thread(0), 16), 3), imod(thread(0), 16)],
    ];
    for (const index of cases) assert.deepEqual(mergedIndex(index, [4, 16]), index, JSON.stringify(index));
  });

  it('reads the same address as the split index for every value, merging a whole reshape into its last axis', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (sizes, foreign) => {
        const n = sizes.reduce((a, b) => a * b, 1);
        const whole = unflattened(thread(0), sizes);
        // Some axes read from another variable: those runs must not merge across them.
        const mixed = whole.map((e, d) => (foreign[d] ? unflattened(thread(1), sizes)[d]! : e));
        for (const index of [whole, mixed]) {
          const merged = mergedIndex(index, sizes);
          for (let x = 0; x < n; x++) {
            for (let y = 0; y < n; y += Math.max(1, Math.floor(n / 7))) {
              assert.equal(flat(merged, sizes, [x, y]), flat(index, sizes, [x, y]), `${JSON.stringify(index)} at x=${x}, y=${y}`);
              merged.forEach((e, d) => assert.ok(evaluate(e, [x, y]) >= 0, `axis ${d} negative`));
            }
          }
        }
        const merged = mergedIndex(whole, sizes);
        assert.ok(merged.slice(0, -1).every((e) => e.kind === 'int' && e.value === 0), `${JSON.stringify(whole)} merged to ${JSON.stringify(merged)}`);
      }),
      { numRuns: 200 },
    );
  });
});
