import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { logSoftmax } from '../../src/ops/softmax.js';
import { div } from '../../src/ops/elementwise.js';
import { grad } from '../../src/autodiff/grad.js';
import { scalarValue, valueOf } from '../../src/runtime/interpret.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { sinkhorn } from '../../src/ssl/sinkhorn.js';
import { swappedPrediction } from '../../src/ssl/swapped-prediction.js';

const B = 2;
const K = 3;
const view = (data: ArrayLike<number>) => fromArray(data, ['B', 'K'], [B, K]);

describe('ssl/swapped-prediction', () => {
  it("is SwAV's mean over assignment views of the average cross-entropy with every other view", () => {
    const scores = [view([0.1, 0.5, -0.3, 0.2, 0.9, -0.7]), view([0.4, -0.2, 0.3, 0.6, -0.5, 0.1]), view([-0.1, 0.2, 0.7, 0.3, 0.3, -0.9])];
    const codes = [0, 1].map((v) => ({ view: v, codes: sinkhorn(scores[v]!, 'K', { iterations: 3, epsilon: 0.05 }) }));
    const loss = scalarValue(swappedPrediction(codes, scores, 'K', 0.1));
    let expected = 0;
    codes.forEach((c) => {
      const q = valueOf(c.codes);
      let sub = 0;
      scores.forEach((s, v) => {
        if (v === c.view) return;
        const lp = valueOf(logSoftmax(div(s, 0.1), 'K'));
        let m = 0;
        for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) m += q[b * K + k]! * lp[b * K + k]!;
        sub -= m / B;
      });
      expected += sub / (scores.length - 1);
    });
    expected /= codes.length;
    assert.ok(Math.abs(loss - expected) < 1e-12, `${loss} vs ${expected}`);
  });

  it('codes get no gradient; with fixed codes the scores pass checkGradient', () => {
    fc.assert(
      fc.property(tensorOf(['B', 'K'], [B, K], { min: -1, max: 1 }), tensorOf(['B', 'K'], [B, K], { min: -1, max: 1 }), (a, b) => {
        // Codes are constants here: finite differences must not move them (they are under stopGradient).
        const fixed = [a, b].map((t, v) => ({ view: v, codes: sinkhorn(fromArray(t.data, ['B', 'K'], [B, K]), 'K', { iterations: 3, epsilon: 0.05 }) }));
        const f = (x: Tensor, y: Tensor) => swappedPrediction(fixed, [x as Tensor<['B', 'K']>, y as Tensor<['B', 'K']>], 'K', 0.1);
        const r = checkGradient(f, [a, b]);
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 10 },
    );
    const s0 = view([0.1, 0.5, -0.3, 0.2, 0.9, -0.7]);
    const s1 = view([0.4, -0.2, 0.3, 0.6, -0.5, 0.1]);
    // Only the codes depend on s0's twin here: its gradient is exactly zero.
    const g = grad((t: Tensor<['B', 'K']>) => swappedPrediction([{ view: 0, codes: sinkhorn(t, 'K', { iterations: 3, epsilon: 0.05 }) }], [s0, s1], 'K', 0.1))(s0);
    assert.deepEqual(Array.from(valueOf(g)), [0, 0, 0, 0, 0, 0]);
  });

  it('needs two views and one code', () => {
    const s = view([0.1, 0.5, -0.3, 0.2, 0.9, -0.7]);
    assert.throws(() => swappedPrediction([], [s, s], 'K', 0.1), /at least one view/);
    assert.throws(() => swappedPrediction([{ view: 0, codes: sinkhorn(s, 'K', { iterations: 1, epsilon: 0.1 }) }], [s], 'K', 0.1), /two views/);
  });
});
