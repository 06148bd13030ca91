import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray, scalar } from '../../src/ops/sources.js';
import { evaluate } from '../../src/ops/interpret.js';
import { regularized, sgd } from '../../src/optim/index.js';

const value = fc.double({ min: -2, max: 2, noNaN: true });
const values = (n: number) => fc.array(value, { minLength: n, maxLength: n });

describe('optim/sgd step options', () => {
  it("takes this step's weight decay on the decayed group only (DINO's groups with torch.optim.SGD), buf = 0.9·buf + g + wd·p, p -= lr·buf", () => {
    fc.assert(
      fc.property(values(2), values(2), values(2), values(1), values(1), values(1), fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (w, g, buf, b, gb, bufb, lr, wd) => {
        const opt = sgd({ momentum: 0.9, decay: regularized });
        const params = { fc: { weight: fromArray(w, ['O', 'I'], [1, 2]), bias: fromArray(b, ['O'], [1]) } };
        const grads = { fc: { weight: fromArray(g, ['O', 'I'], [1, 2]), bias: fromArray(gb, ['O'], [1]) } };
        const state = { momentum: { fc: { weight: fromArray(buf, ['O', 'I'], [1, 2]), bias: fromArray(bufb, ['O'], [1]) } } };
        const next = opt.step(params, grads, state, lr, { weightDecay: scalar(wd) });
        const [nw, nb] = evaluate([next.params.fc.weight, next.params.fc.bias]);
        const bw = buf.map((m, i) => 0.9 * m + g[i]! + wd * w[i]!);
        const bb = 0.9 * bufb[0]! + gb[0]!;
        nw!.data.forEach((v, i) => assert.ok(Math.abs(v - (w[i]! - lr * bw[i]!)) < 1e-12, `weight[${i}]`));
        assert.ok(Math.abs(nb!.data[0]! - (b[0]! - lr * bb)) < 1e-12, 'the bias is not decayed');
      }),
    );
  });

  it('a parameter that does not learn (false, or a run-time 0) keeps its value and momentum buffer; one without momentum steps on its gradient alone', () => {
    const w = () => fromArray([1, 2], ['O', 'I'], [1, 2]);
    const params = { frozen: w(), top: w(), rest: w() };
    const grads = { frozen: fromArray([1, 1], ['O', 'I'], [1, 2]), top: fromArray([1, 1], ['O', 'I'], [1, 2]), rest: fromArray([1, 1], ['O', 'I'], [1, 2]) };
    const state = { momentum: { frozen: fromArray([3, 3], ['O', 'I'], [1, 2]), top: fromArray([3, 3], ['O', 'I'], [1, 2]), rest: fromArray([3, 3], ['O', 'I'], [1, 2]) } };
    for (const learns of [false, scalar(0)]) {
      const opt = sgd({ momentum: 0.9, withoutMomentum: (p) => p === 'top' });
      const next = opt.step(params, grads, state, 0.5, { learns: (p) => (p === 'frozen' ? learns : true) });
      const m = next.state.momentum as typeof state.momentum;
      const [f, mf, top, rest] = evaluate([next.params.frozen, m.frozen, next.params.top, next.params.rest]);
      assert.deepEqual(Array.from(f!.data), [1, 2]);
      assert.deepEqual(Array.from(mf!.data), [3, 3]);
      assert.deepEqual(Array.from(top!.data), [0.5, 1.5]);
      assert.deepEqual(Array.from(rest!.data), [1 - 0.5 * 3.7, 2 - 0.5 * 3.7]);
    }
  });
});
