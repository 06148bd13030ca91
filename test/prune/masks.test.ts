import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { magnitudeMasks, maskSparsity, onesMasks, pruneRemaining, prunableValues, weightsOnly, everything } from '../../src/prune/masks.js';
import { fromArray } from '../../src/ops/sources.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

/** A parameter tree with small integer weights (many ties), a bias and a norm scale. */
function tree(values: readonly number[][], shapes: readonly [number, number][]) {
  return {
    layers: shapes.map(([o, i], l) => ({
      weight: fromArray(values[l]!, ['O', 'I'], [o, i]),
      bias: fromArray(new Array(o).fill(0.5), ['O'], [o]),
    })),
    norm: { weight: fromArray([1, 2], ['C'], [2]) },
  };
}

const treeArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 3 })
  .chain((shapes) =>
    fc.tuple(
      fc.constant(shapes),
      fc.tuple(...shapes.map(([o, i]) => fc.array(fc.integer({ min: -3, max: 3 }), { minLength: o * i, maxLength: o * i }))),
    ),
  );

const zeros = (m: NDArray) => m.data.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

describe('prune/masks', () => {
  it('hits the target sparsity exactly, globally and per layer, with deterministic ties', () => {
    fc.assert(
      fc.property(treeArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('global' as const, 'layer' as const), ([shapes, values], sparsity, scope) => {
        const params = tree(values, shapes);
        const masks = magnitudeMasks(params, { sparsity, scope });
        assert.deepEqual(Object.keys(masks), shapes.map((_, l) => `layers.${l}.weight`), 'weights only: no biases, no norm scales');
        const sizes = shapes.map(([o, i]) => o * i);
        if (scope === 'global') {
          const n = sizes.reduce((a, b) => a + b, 0);
          assert.equal(Object.values(masks).reduce((s, m) => s + zeros(m), 0), Math.round(sparsity * n));
        } else {
          shapes.forEach((_, l) => assert.equal(zeros(masks[`layers.${l}.weight`]!), Math.round(sparsity * sizes[l]!)));
        }
        assert.deepEqual(magnitudeMasks(params, { sparsity, scope }), masks, 'deterministic');
        // Every pruned weight is no larger in magnitude than every kept one (within its group).
        const groups = scope === 'global' ? [shapes.map((_, l) => l)] : shapes.map((_, l) => [l]);
        for (const g of groups) {
          const pruned = g.flatMap((l) => values[l]!.filter((_, i) => masks[`layers.${l}.weight`]!.data[i] === 0).map(Math.abs));
          const kept = g.flatMap((l) => values[l]!.filter((_, i) => masks[`layers.${l}.weight`]!.data[i] === 1).map(Math.abs));
          if (pruned.length > 0 && kept.length > 0) assert.ok(Math.max(...pruned) <= Math.min(...kept));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('ties go to the earlier parameter and the lower index', () => {
    const params = { a: { weight: fromArray([1, 1, 1, 1], ['O', 'I'], [2, 2]) }, b: { weight: fromArray([1, 1], ['O', 'I'], [1, 2]) } };
    const m = magnitudeMasks(params, { sparsity: 0.5 });
    assert.deepEqual(Array.from(m['a.weight']!.data), [0, 0, 0, 1]);
    assert.deepEqual(Array.from(m['b.weight']!.data), [1, 1]);
  });

  it('pruning the remaining weights keeps what was pruned and compounds the sparsity', () => {
    const params = { l: { weight: fromArray(Array.from({ length: 100 }, (_, i) => (i * 37) % 101), ['O', 'I'], [10, 10]) } };
    let masks = onesMasks(params);
    assert.equal(maskSparsity(masks), 0);
    const expected = [20, 36, 49];
    for (const z of expected) {
      const next = pruneRemaining(params, masks, { fraction: 0.2 });
      masks['l.weight']!.data.forEach((v, i) => v === 0 && assert.equal(next['l.weight']!.data[i], 0, 'stays pruned'));
      masks = next;
      assert.equal(zeros(masks['l.weight']!), z);
    }
    const extended = magnitudeMasks(params, { sparsity: 0.1, previous: masks });
    assert.equal(zeros(extended['l.weight']!), 49, 'a lower target never un-prunes');
  });

  it('chooses prunable parameters by a predicate and reports stray masks', () => {
    const params = tree([[1, 2, 3, 4]], [[2, 2]]);
    assert.deepEqual(prunableValues(params, everything).map((v) => v.path), ['layers.0.bias', 'layers.0.weight', 'norm.weight']);
    assert.equal(prunableValues(params, weightsOnly).length, 1);
    const byName = magnitudeMasks(params, { sparsity: 0.5, prunable: (p) => p.endsWith('bias') });
    assert.deepEqual(Object.keys(byName), ['layers.0.bias']);
    assert.throws(() => magnitudeMasks(params, { sparsity: 0.5, previous: byName }), /masks for layers\.0\.bias: not prunable/);
    assert.throws(() => magnitudeMasks(params, { sparsity: 1.5 }), /sparsity must be in \[0, 1\]/);
  });
});
