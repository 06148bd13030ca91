import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray, scalar } from '../../src/ops/sources.js';
import { evaluate } from '../../src/ops/interpret.js';
import { adamw, regularized } from '../../src/optim/index.js';

const vec = (xs: number[]) => fromArray(xs, ['C'], [xs.length]);

describe('optim/adamw step options', () => {
  it("a parameter that sat out steps corrects its bias with its own count (PyTorch's per-parameter step): its first step is lr·g/(|g| + eps)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.integer({ min: 1, max: 500 }), fc.double({ min: 1e-4, max: 0.1, noNaN: true }), (g, t, lr) => {
        const opt = adamw({ weightDecay: 0 });
        const params = { w: vec([1]) };
        const state = { m: { w: vec([0]) }, v: { w: vec([0]) }, t: scalar(t) };
        const next = opt.step(params, { w: vec([g]) }, state, lr, { skippedSteps: () => scalar(t) });
        const w = evaluate([next.params.w])[0]!.data[0]!;
        assert.ok(Math.abs(w - (1 - (lr * g) / (g + 1e-8))) < 1e-12, `${w}`);
      }),
    );
  });

  it('takes the weight decay of the step (a schedule value) on the decayed group only, and leaves a parameter without gradient alone', () => {
    const opt = adamw({ decay: regularized });
    const params = { fc: { weight: fromArray([1, 2], ['O', 'I'], [1, 2]), bias: vec([1]) }, frozen: fromArray([3, 4], ['O', 'I'], [1, 2]) };
    const zero = { fc: { weight: fromArray([0, 0], ['O', 'I'], [1, 2]), bias: vec([0]) }, frozen: fromArray([0, 0], ['O', 'I'], [1, 2]) };
    const next = opt.step(params, zero, opt.init(params), 0.5, { weightDecay: scalar(0.2), learns: (p) => p !== 'frozen' });
    const [w, b, f] = evaluate([next.params.fc.weight, next.params.fc.bias, next.params.frozen]);
    assert.deepEqual(Array.from(w!.data), [0.9, 1.8]);
    assert.deepEqual(Array.from(b!.data), [1]);
    assert.deepEqual(Array.from(f!.data), [3, 4]);
  });
});
