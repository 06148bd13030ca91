import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray, scalar } from '../../src/ops/sources.js';
import { evaluate } from '../../src/ops/interpret.js';
import { momentumLars, regularized } from '../../src/optim/index.js';

const norm = (x: readonly number[]) => Math.hypot(...x);
const value = fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v) > 1e-3);
const values = (n: number) => fc.array(value, { minLength: n, maxLength: n });

/**
 * DINO's utils.LARS, step for step (its `if p.ndim != 1` for both decay and adaptation):
 *   dp = g + wd·p;  q = η·‖p‖/‖dp‖ (1 if a norm is 0);  mu = m·mu + q·dp;  p -= lr·mu
 * and for one-axis parameters: mu = m·mu + g;  p -= lr·mu.
 */
function official(w: number[], g: number[], mu: number[], lr: number, wd: number, oneAxis: boolean): { w: number[]; mu: number[] } {
  const dp = oneAxis ? g : g.map((v, i) => v + wd * w[i]!);
  const q = oneAxis || norm(w) === 0 || norm(dp) === 0 ? 1 : (0.001 * norm(w)) / norm(dp);
  const nextMu = mu.map((m, i) => 0.9 * m + q * dp[i]!);
  return { w: w.map((v, i) => v - lr * nextMu[i]!), mu: nextMu };
}

describe('optim/lars: momentumLars (DINO\'s utils.LARS)', () => {
  it('matches utils.LARS on a weight and a bias: the weight decayed and adapted with this step\'s weight decay, the bias neither, momentum 0.9', () => {
    fc.assert(
      fc.property(values(6), values(6), values(6), values(3), values(3), values(3), fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.constantFrom(0, 1e-4, 0.3), (w, g, mu, b, gb, mub, lr, wd) => {
        const opt = momentumLars({ decay: regularized });
        const params = { fc: { weight: fromArray(w, ['O', 'I'], [2, 3]), bias: fromArray(b, ['O'], [3]) } };
        const grads = { fc: { weight: fromArray(g, ['O', 'I'], [2, 3]), bias: fromArray(gb, ['O'], [3]) } };
        const state = { momentum: { fc: { weight: fromArray(mu, ['O', 'I'], [2, 3]), bias: fromArray(mub, ['O'], [3]) } } };
        const next = opt.step(params, grads, state, lr, { weightDecay: scalar(wd) });
        const [nw, nb, nmw, nmb] = evaluate([next.params.fc.weight, next.params.fc.bias, (next.state.momentum as typeof state.momentum).fc.weight, (next.state.momentum as typeof state.momentum).fc.bias]);
        const want = [official(w, g, mu, lr, wd, false), official(b, gb, mub, lr, wd, true)];
        const close = (got: Float64Array, ref: number[], what: string) => got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) <= 1e-12 * Math.max(1, Math.abs(ref[i]!)), `${what}[${i}]: ${v} vs ${ref[i]}`));
        close(nw!.data, want[0]!.w, 'weight');
        close(nmw!.data, want[0]!.mu, 'weight momentum');
        close(nb!.data, want[1]!.w, 'bias');
        close(nmb!.data, want[1]!.mu, 'bias momentum');
      }),
      { numRuns: 60 },
    );
  });

  it('a zero gradient passes unadapted (q = 1), and a parameter that does not learn keeps its value and its momentum', () => {
    const opt = momentumLars();
    const params = { a: fromArray([1, 2, 3, 4], ['O', 'I'], [2, 2]), b: fromArray([5, 6, 7, 8], ['O', 'I'], [2, 2]) };
    const grads = { a: fromArray([0, 0, 0, 0], ['O', 'I'], [2, 2]), b: fromArray([1, 1, 1, 1], ['O', 'I'], [2, 2]) };
    const state = { momentum: { a: fromArray([1, 1, 1, 1], ['O', 'I'], [2, 2]), b: fromArray([2, 2, 2, 2], ['O', 'I'], [2, 2]) } };
    for (const learns of [false, scalar(0)]) {
      const next = opt.step(params, grads, state, 0.5, { learns: (p) => (p === 'b' ? learns : true) });
      const m = next.state.momentum as typeof state.momentum;
      const [a, b, ma, mb] = evaluate([next.params.a, next.params.b, m.a, m.b]);
      assert.deepEqual(Array.from(ma!.data), [0.9, 0.9, 0.9, 0.9]);
      assert.deepEqual(Array.from(a!.data), [1, 2, 3, 4].map((v) => v - 0.5 * 0.9));
      assert.deepEqual(Array.from(b!.data), [5, 6, 7, 8]);
      assert.deepEqual(Array.from(mb!.data), [2, 2, 2, 2]);
    }
  });
});
