import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { simplifyIndices } from '../../../src/compile/wasm/simplify-index.js';
import { evalIndex as evalIndexAt, type IndexExpr, type Kernel } from '../../../src/compile/kernel-ir.js';

/** The IR's integer semantics at a thread index (no loops here). */
const evalIndex = (e: IndexExpr, thread: readonly number[]): number => evalIndexAt(e, { thread: (axis) => thread[axis]! });

const sizes = [3, 5, 4];
const leaf: fc.Arbitrary<IndexExpr> = fc.oneof(
  fc.nat(2).map((axis): IndexExpr => ({ kind: 'thread', axis })),
  fc.integer({ min: -6, max: 12 }).map((value): IndexExpr => ({ kind: 'int', value })),
);
const { tree } = fc.letrec<{ tree: IndexExpr }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constant('iadd' as const), a: tie('tree'), b: tie('tree') }),
    fc.record({ kind: fc.constant('imul' as const), a: tie('tree'), b: fc.integer({ min: -4, max: 12 }).map((value): IndexExpr => ({ kind: 'int', value })) }),
    fc.record({ kind: fc.constant('imul' as const), a: tie('tree'), b: tie('tree') }),
    fc.record({ kind: fc.constantFrom('idiv' as const, 'imod' as const), a: tie('tree'), b: fc.integer({ min: 1, max: 12 }).map((value): IndexExpr => ({ kind: 'int', value })) }),
    fc.record({ kind: fc.constant('clamp' as const), x: tie('tree'), lo: fc.integer({ min: -3, max: 3 }), hi: fc.integer({ min: 3, max: 20 }) }),
  ),
}));

describe('compile/wasm: index simplification with ranges', () => {
  it('computes the same integers at every thread index', () => {
    fc.assert(
      fc.property(tree, (e) => {
        const kernel: Kernel = { name: 'k', output: 0, sizes, inputs: [], ops: [], body: [], result: { kind: 'index', index: e } };
        const simplified = simplifyIndices(kernel).result;
        assert.equal(simplified.kind, 'index');
        const s = (simplified as { index: IndexExpr }).index;
        for (let i = 0; i < sizes[0]!; i++)
          for (let j = 0; j < sizes[1]!; j++)
            for (let k = 0; k < sizes[2]!; k++) assert.equal(evalIndex(s, [i, j, k]) + 0, evalIndex(e, [i, j, k]) + 0, JSON.stringify({ e, s, at: [i, j, k] }));
      }),
      { numRuns: 2000 },
    );
  });

  it('turns the unflattening of a flattened index back into the index', () => {
    const t = (axis: number): IndexExpr => ({ kind: 'thread', axis });
    const flat: IndexExpr = { kind: 'iadd', a: { kind: 'imul', a: t(0), b: { kind: 'int', value: 20 } }, b: { kind: 'iadd', a: { kind: 'imul', a: t(1), b: { kind: 'int', value: 4 } }, b: t(2) } };
    const middle: IndexExpr = { kind: 'imod', a: { kind: 'idiv', a: flat, b: { kind: 'int', value: 4 } }, b: { kind: 'int', value: 5 } };
    const kernel: Kernel = { name: 'k', output: 0, sizes, inputs: [], ops: [], body: [], result: { kind: 'index', index: middle } };
    assert.deepEqual(simplifyIndices(kernel).result, { kind: 'index', index: t(1) });
  });

  it('divides the part of a flat index below the divisor alone when the rest is a multiple of it', () => {
    // [3, 5, 4] read as [3, 5, 2, 2]: the thread axis 2 (0..3) holds two coordinates.
    const t = (axis: number): IndexExpr => ({ kind: 'thread', axis });
    const int = (value: number): IndexExpr => ({ kind: 'int', value });
    const flat: IndexExpr = { kind: 'iadd', a: { kind: 'imul', a: t(0), b: int(20) }, b: { kind: 'iadd', a: { kind: 'imul', a: t(1), b: int(4) }, b: t(2) } };
    const third: IndexExpr = { kind: 'imod', a: { kind: 'idiv', a: flat, b: int(2) }, b: int(2) };
    const kernel: Kernel = { name: 'k', output: 0, sizes, inputs: [], ops: [], body: [], result: { kind: 'index', index: third } };
    // floor(t2 / 2) is 0 or 1: the remainder by 2 is the quotient itself.
    assert.deepEqual(simplifyIndices(kernel).result, { kind: 'index', index: { kind: 'idiv', a: t(2), b: int(2) } });
  });
});
