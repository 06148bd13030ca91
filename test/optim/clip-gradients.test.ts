import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/ops/interpret.js';
import { clipGradients, clipTensorNorm } from '../../src/optim/clip-gradients.js';

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
const values = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 12 });

describe('optim/clip-gradients', () => {
  it("clips each tensor on its own norm (DINO's clip_gradients), never on the global norm", () => {
    fc.assert(
      fc.property(values, values, fc.double({ min: 0.01, max: 10, noNaN: true }), (a, b, maxNorm) => {
        const grads = { a: fromArray(a, ['I'], [a.length]), b: fromArray(b, ['J'], [b.length]) };
        const { grads: clipped, norms } = clipGradients(grads, maxNorm);
        const [ca, cb, na, nb] = evaluate([clipped.a, clipped.b, norms['a']!, norms['b']!]);
        const expect = (x: number[]) => {
          const c = maxNorm / (norm(x) + 1e-6);
          return c < 1 ? x.map((v) => v * c) : x;
        };
        // Each leaf depends on its own values only: the same as clipping it alone.
        [
          [ca!.data, a],
          [cb!.data, b],
        ].forEach(([got, x]) => expect(x as number[]).forEach((v, i) => assert.ok(Math.abs((got as Float64Array)[i]! - v) <= 1e-12 * (1 + Math.abs(v)))));
        assert.ok(Math.abs(na!.data[0]! - norm(a)) <= 1e-12 * (1 + norm(a)));
        assert.ok(Math.abs(nb!.data[0]! - norm(b)) <= 1e-12 * (1 + norm(b)));
        assert.ok(norm(ca!.data) <= maxNorm * (1 + 1e-12));
      }),
    );
  });

  it('leaves a gradient within the norm unchanged, and skips leaves without a gradient', () => {
    const g = fromArray([0.3, 0.4], ['I'], [2]);
    assert.deepEqual(Array.from(evaluate([clipTensorNorm(g, 1)])[0]!.data), [0.3, 0.4]);
    const big = fromArray([30, 40], ['I'], [2]);
    const { grads, norms } = clipGradients({ w: big, frozen: big }, 1, (p) => p !== 'frozen');
    const [w, frozen] = evaluate([grads.w, grads.frozen]);
    assert.deepEqual(Object.keys(norms), ['w']);
    assert.deepEqual(Array.from(frozen!.data), [30, 40]);
    assert.ok(Math.abs(norm(w!.data) - 50 / (50 + 1e-6)) < 1e-12);
  });

  it('refuses a norm that is not positive', () => {
    assert.throws(() => clipTensorNorm(fromArray([1], ['I'], [1]), 0), /maxNorm must be positive/);
  });
});
