import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { transpose } from '../../src/ops/layout.js';
import { mul } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { swavSinkhorn } from '../../src/testing/conformance/components/swav-sinkhorn.js';
import { axisSize, tensorOf } from '../../src/testing/index.js';
import { sinkhorn } from '../../src/ssl/sinkhorn.js';

/** Σ over samples per prototype, and Σ over prototypes per sample, of codes [B, K]. */
function marginals(q: Float64Array, b: number, k: number) {
  const perSample = Array.from({ length: b }, (_, i) => q.subarray(i * k, (i + 1) * k).reduce((s, v) => s + v, 0));
  const perPrototype = Array.from({ length: k }, (_, j) => Array.from({ length: b }, (_, i) => q[i * k + j]!).reduce((s, v) => s + v, 0));
  return { perSample, perPrototype };
}

describe('ssl/sinkhorn', () => {
  it('swav_sinkhorn.json: every line passes', () => {
    const report = checkFile('test/fixtures/golden/swav_sinkhorn.json', { components: { [swavSinkhorn.name]: swavSinkhorn } });
    assert.equal(report.error, undefined);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('marginals approach their targets: each sample sums to 1, each prototype towards B/K', () => {
    const shape = fc.record({ b: axisSize({ min: 2, max: 6 }), k: axisSize({ min: 2, max: 6 }) });
    fc.assert(
      fc.property(shape.chain(({ b, k }) => tensorOf(['B', 'K'], [b, k], { min: -1, max: 1 }).map((x) => ({ b, k, x }))), ({ b, k, x }) => {
        const scores = fromArray(x.data, ['B', 'K'], [b, k]);
        const error = (iterations: number) => {
          const m = marginals(valueOf(sinkhorn(scores, 'K', { iterations, epsilon: 0.5 })), b, k);
          m.perSample.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-12, `sample sum ${s}`));
          return Math.max(...m.perPrototype.map((s) => Math.abs(s - b / k)));
        };
        // Each iteration shrinks the error by at least tanh(Δ/4)², Δ the largest log cross-ratio of exp(x/ε):
        // at most 8 for x in [-1, 1] and ε 0.5, so 0.93 per iteration, and 500 iterations reach 1e-16.
        // 50 were too few at the corners (a seed sweep found Δ = 5.1 still at 1.0000000050e-8).
        const [e1, e3, e500] = [error(1), error(3), error(500)];
        assert.ok(e3 <= e1 + 1e-12, `error after 3 iterations ${e3} > after 1 ${e1}`);
        assert.ok(e500 <= e3 + 1e-12 && e500 < 1e-8, `error after 500 iterations ${e500}`);
      }),
      { numRuns: 40, examples: [[{ b: 2, k: 2, x: { axes: ['B', 'K'], sizes: [2, 2], data: Float64Array.from([-0.5319847551359362, 0, 0.9999999999841176, -0.9999999997818659]) } }], [{ b: 2, k: 2, x: { axes: ['B', 'K'], sizes: [2, 2], data: Float64Array.from([1, -1, -1, 1]) } }]] },
    );
  });

  it('keeps the layout: codes of the transposed scores are the transposed codes', () => {
    const scores = fromArray([0.1, 0.5, -0.3, 0.2, 0.9, -0.7], ['B', 'K'], [2, 3]);
    const a = valueOf(transpose(sinkhorn(scores, 'K', { iterations: 3, epsilon: 0.05 }), ['K', 'B']));
    const b = valueOf(sinkhorn(transpose(scores, ['K', 'B']), 'K', { iterations: 3, epsilon: 0.05 }));
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-15));
  });

  it('no gradient flows through the codes', () => {
    const scores = fromArray([0.1, 0.5, -0.3, 0.2, 0.9, -0.7], ['B', 'K'], [2, 3]);
    const r = fromArray([1, 2, 3, 4, 5, 6], ['B', 'K'], [2, 3]);
    const g = grad((s: Tensor<['B', 'K']>) => sum(mul(sinkhorn(s, 'K', { iterations: 3, epsilon: 0.05 }), r)))(scores);
    assert.deepEqual(Array.from(valueOf(g)), [0, 0, 0, 0, 0, 0]);
  });

  it('refuses bad options', () => {
    const scores = fromArray([0.1, 0.5], ['B', 'K'], [1, 2]);
    assert.throws(() => sinkhorn(scores, 'K', { iterations: -1, epsilon: 0.05 }), /iterations/);
    assert.throws(() => sinkhorn(scores, 'K', { iterations: 3, epsilon: 0 }), /epsilon/);
  });
});
