import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray, Reduction } from '../../src/index.js';
import { shape, tensorOf } from '../../src/testing/index.js';
import { assertClose, assertShape, assertShapeError, constant, evalFn, get, gradientProperty, indices, nd, property, ravel, tabulate, type T } from '../support/op-cases.js';

const reductions: readonly Reduction[] = ['mean', 'sum', 'none'];

interface LossCase {
  readonly logits: NDArray;
  readonly axis: string;
  /** Class indices over the other axes, in the logits' order. */
  readonly labels: NDArray;
  /** A distribution along the class axis. */
  readonly probs: NDArray;
  readonly reduction: Reduction;
}

const lossCase: fc.Arbitrary<LossCase> = shape({ minRank: 1, maxRank: 3 }).chain((s) =>
  fc.constantFrom(...s.axes).chain((axis) => {
    const d = s.axes.indexOf(axis);
    const k = s.sizes[d]!;
    const restAxes = s.axes.filter((a) => a !== axis);
    const restSizes = s.sizes.filter((_, i) => i !== d);
    const n = restSizes.reduce((a, b) => a * b, 1);
    return fc.record({
      logits: tensorOf(s.axes, s.sizes, { min: -4, max: 4 }),
      axis: fc.constant(axis),
      labels: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }).map((v) => nd(restAxes, restSizes, v)),
      // Positive weights normalised along the class axis.
      probs: tensorOf(s.axes, s.sizes, { min: 0.05, max: 1 }).map((w) => {
        const total = new Map<number, number>();
        const slot = (idx: Record<string, number>) => ravel(restSizes, restAxes.map((a) => idx[a]!));
        for (const idx of indices(w.axes, w.sizes)) total.set(slot(idx), (total.get(slot(idx)) ?? 0) + get(w, idx));
        return tabulate(w.axes, w.sizes, (idx) => get(w, idx) / total.get(slot(idx))!);
      }),
      reduction: fc.constantFrom(...reductions),
    });
  }),
);

/** Per-item loss -sum_k p_k log softmax(l)_k by explicit loops, then the reduction. */
function reference(logits: NDArray, axis: string, probsAt: (idx: Record<string, number>) => number, reduction: Reduction): NDArray {
  const restAxes = logits.axes.filter((a) => a !== axis);
  const restSizes = restAxes.map((a) => logits.sizes[logits.axes.indexOf(a)]!);
  const k = logits.sizes[logits.axes.indexOf(axis)]!;
  const items = tabulate(restAxes, restSizes, (idx) => {
    const row = Array.from({ length: k }, (_, j) => get(logits, { ...idx, [axis]: j }));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    return -row.reduce((a, v, j) => a + probsAt({ ...idx, [axis]: j }) * (v - lse), 0);
  });
  if (reduction === 'none') return items;
  const total = items.data.reduce((a, b) => a + b, 0);
  return nd([], [], [reduction === 'sum' ? total : total / items.data.length]);
}

const ce = (axis: string, reduction: Reduction) => (logits: T, target: T) => sg.crossEntropy(logits, target, axis, reduction);

describe('ops/losses', () => {
  describe('crossEntropy', () => {
    it('hard targets: gradient for the logits matches finite differences (random class axis, mean/sum/none)', () => {
      gradientProperty(
        lossCase.map((c) => ({ ...c, inputs: [c.logits] })),
        (c) => (logits: T) => ce(c.axis, c.reduction)(logits, constant(c.labels)),
      );
    });

    it('soft targets: gradients for the logits and the targets match finite differences', () => {
      gradientProperty(
        lossCase.map((c) => ({ ...c, inputs: [c.logits, c.probs] })),
        (c) => ce(c.axis, c.reduction),
      );
    });

    it('hard targets equal soft one-hot targets, and both match explicit loops', () => {
      property(lossCase, (c) => {
        const oneHot = tabulate(c.logits.axes, c.logits.sizes, (idx) => (get(c.labels, idx) === idx[c.axis] ? 1 : 0));
        const hard = evalFn(ce(c.axis, c.reduction), [c.logits, c.labels]);
        const soft = evalFn(ce(c.axis, c.reduction), [c.logits, oneHot]);
        const want = reference(c.logits, c.axis, (idx) => get(oneHot, idx), c.reduction);
        assertShape(hard, want.axes, want.sizes);
        assertShape(soft, want.axes, want.sizes);
        assertClose(hard.data, soft.data, { rtol: 0, atol: 0 }, 'hard vs one-hot');
        assertClose(hard.data, want.data, { rtol: 1e-12, atol: 1e-12 }, 'hard vs loops');
      });
    });

    it('soft targets match explicit loops; mean = sum / items', () => {
      property(lossCase, (c) => {
        const got = evalFn(ce(c.axis, c.reduction), [c.logits, c.probs]);
        const want = reference(c.logits, c.axis, (idx) => get(c.probs, idx), c.reduction);
        assertShape(got, want.axes, want.sizes);
        assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
        const sum = evalFn(ce(c.axis, 'sum'), [c.logits, c.probs]).data[0]!;
        const mean = evalFn(ce(c.axis, 'mean'), [c.logits, c.probs]).data[0]!;
        const items = c.logits.data.length / c.logits.sizes[c.logits.axes.indexOf(c.axis)]!;
        assertClose([mean], [sum / items], { rtol: 1e-14, atol: 1e-15 });
      });
    });

    it('defaults to the mean; is shift-invariant in the logits', () => {
      property(lossCase, (c) => {
        const byDefault = evalFn((l, t) => sg.crossEntropy(l, t, c.axis), [c.logits, c.probs]);
        assertShape(byDefault, [], []);
        assertClose(byDefault.data, evalFn(ce(c.axis, 'mean'), [c.logits, c.probs]).data, { rtol: 0, atol: 0 });
        const shifted = evalFn(ce(c.axis, c.reduction), [nd(c.logits.axes, c.logits.sizes, c.logits.data.map((v) => v + 500)), c.probs]);
        assertClose(shifted.data, evalFn(ce(c.axis, c.reduction), [c.logits, c.probs]).data, { rtol: 1e-12, atol: 1e-11 });
      });
    });

    it('a target that is neither the class indices nor a distribution is a ShapeError; a bad index a RangeError', () => {
      const logits = constant(nd(['B', 'K'], [2, 3], new Float64Array(6)), 'logits');
      assertShapeError(() => sg.crossEntropy(logits, constant(nd(['K', 'B'], [3, 2], new Float64Array(6)), 'y') as T, 'K'), 'crossEntropy', "'y'", '[B, K] (soft)', '[B] (class indices)');
      assertShapeError(() => sg.crossEntropy(logits, constant(nd(['C'], [2], [0, 1]), 'y') as T, 'K'), 'crossEntropy', "'y'");
      assert.throws(() => sg.valueOf(sg.crossEntropy(logits, constant(nd(['B'], [2], [0, 3])) as T, 'K')), /index 3 is outside \[0, 3\)/);
    });
  });
});
