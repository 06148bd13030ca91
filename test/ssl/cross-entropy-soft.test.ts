import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { softmax, logSoftmax } from '../../src/ops/softmax.js';
import { grad } from '../../src/autodiff/grad.js';
import { scalarValue, valueOf } from '../../src/runtime/interpret.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { asProbs, crossEntropyOfProbs, detach, entropy, softCrossEntropy, xlogy, type Detached } from '../../src/ssl/cross-entropy-soft.js';

/** A target typed as detached without stopping its gradient: only to check the gradient with respect to the target's position. */
const liveTarget = <T extends Tensor>(t: T): Detached<T> => t as Detached<T>;

describe('ssl/cross-entropy-soft', () => {
  it('softCrossEntropy is the batch mean of Σ -t·logSoftmax(logits); sum and none reductions', () => {
    const t = detach(asProbs(fromArray([0.2, 0.8, 0.5, 0.5], ['B', 'K'], [2, 2]), 'K'));
    const x = fromArray([1, 2, -1, 0.5], ['B', 'K'], [2, 2]);
    const ls = valueOf(logSoftmax(x, 'K'));
    const rows = [-(0.2 * ls[0]! + 0.8 * ls[1]!), -(0.5 * ls[2]! + 0.5 * ls[3]!)];
    assert.ok(Math.abs(scalarValue(softCrossEntropy(t, x, 'K')) - (rows[0]! + rows[1]!) / 2) < 1e-15);
    assert.ok(Math.abs(scalarValue(softCrossEntropy(t, x, 'K', 'sum')) - (rows[0]! + rows[1]!)) < 1e-15);
    const none = valueOf(softCrossEntropy(t, x, 'K', 'none'));
    none.forEach((v, i) => assert.ok(Math.abs(v - rows[i]!) < 1e-15));
  });

  it('H(p, q) ≥ H(p) with equality at q = p (Gibbs); 0·log 0 counts as 0', () => {
    fc.assert(
      fc.property(tensorOf(['B', 'K'], [2, 4]), tensorOf(['B', 'K'], [2, 4]), (a, b) => {
        const p = asProbs(softmax(fromArray(a.data, ['B', 'K'], [2, 4]), 'K'), 'K');
        const q = asProbs(softmax(fromArray(b.data, ['B', 'K'], [2, 4]), 'K'), 'K');
        const h = scalarValue(entropy(p, 'K', 'mean'));
        assert.ok(scalarValue(crossEntropyOfProbs(detach(p), q, 'K')) >= h - 1e-12);
        assert.ok(Math.abs(scalarValue(crossEntropyOfProbs(detach(p), p, 'K')) - h) < 1e-12);
      }),
      { numRuns: 50 },
    );
    const zero = asProbs(fromArray([0, 1], ['K'], [2]), 'K');
    assert.equal(scalarValue(crossEntropyOfProbs(detach(zero), zero, 'K')), 0);
    const g = grad((y: Tensor<['K']>) => sum(xlogy(fromArray([0, 1], ['K'], [2]), y)))(fromArray([0, 0.5], ['K'], [2]));
    assert.deepEqual(Array.from(valueOf(g)), [0, 2]);
  });

  it('no gradient flows into a detached target', () => {
    const x = fromArray([1, 2, -1, 0.5], ['B', 'K'], [2, 2]);
    const g = grad((t: Tensor<['B', 'K']>) => softCrossEntropy(detach(asProbs(softmax(t, 'K'), 'K')), x, 'K'))(x);
    assert.deepEqual(Array.from(valueOf(g)), [0, 0, 0, 0]);
  });

  it('gradients pass checkGradient (logits and target)', () => {
    fc.assert(
      fc.property(tensorOf(['B', 'K'], [2, 3]), tensorOf(['B', 'K'], [2, 3]), (a, b) => {
        const r = checkGradient((t, x) => softCrossEntropy(liveTarget(asProbs(softmax(t as Tensor<['B', 'K']>, 'K'), 'K')), x as Tensor<['B', 'K']>, 'K'), [a, b]);
        assert.ok(r.ok, r.message);
        const s = checkGradient((t, x) => crossEntropyOfProbs(liveTarget(asProbs(softmax(t as Tensor<['B', 'K']>, 'K'), 'K')), asProbs(softmax(x as Tensor<['B', 'K']>, 'K'), 'K'), 'K'), [a, b]);
        assert.ok(s.ok, s.message);
      }),
      { numRuns: 10 },
    );
  });
});
