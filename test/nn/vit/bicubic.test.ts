import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { bicubicWeights } from '../../../src/nn/vit/bicubic.js';

describe('nn/vit/bicubic', () => {
  it('at scale 1 and the same size the resize is the identity (any size)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (n) => {
        const w = bicubicWeights(n, n, 1);
        for (let i = 0; i < n; i++) for (let a = 0; a < n; a++) assert.ok(Math.abs(w[i * n + a]! - (i === a ? 1 : 0)) < 1e-15, `w[${i}, ${a}] = ${w[i * n + a]}`);
      }),
    );
  });

  it('every row sums to 1 (clamped border taps add up), so a constant stays constant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.1, max: 5, noNaN: true }), (out, inn, scale) => {
        const w = bicubicWeights(out, inn, scale);
        for (let i = 0; i < out; i++) {
          const sum = w.subarray(i * inn, (i + 1) * inn).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) < 1e-12, `row ${i} sums to ${sum}`);
        }
      }),
    );
  });

  it('uses the given scale for the coordinate map: 4 -> 2 at scale 2.1/4 (DINO) differs from scale 1/2', () => {
    // src = (i + 0.5)/s − 0.5: row 0 at s = 0.525 reads 0.452…, at s = 0.5 reads 0.5 (the midpoint of rows 0 and 1).
    const dino = bicubicWeights(2, 4, 2.1 / 4);
    const plain = bicubicWeights(2, 4, 0.5);
    const t = 0.5 / (2.1 / 4) - 0.5;
    const c1 = (s: number) => (1.25 * s - 2.25) * s * s + 1;
    const c2 = (s: number) => ((-0.75 * s + 3.75) * s - 6) * s + 3;
    // Taps at rows −1 (clamped to 0), 0, 1, 2.
    const expected = [c2(t + 1) + c1(t), c1(1 - t), c2(2 - t), 0];
    expected.forEach((e, a) => assert.ok(Math.abs(dino[a]! - e) < 1e-15, `w[0, ${a}] = ${dino[a]} vs ${e}`));
    assert.ok(Math.abs(plain[0]! - dino[0]!) > 1e-3);
  });

  it('refuses sizes that are not positive integers and scales that are not positive', () => {
    assert.throws(() => bicubicWeights(0, 4, 1), /sizes must be positive integers, got out 0, in 4/);
    assert.throws(() => bicubicWeights(2, 4, 0), /scale factor must be positive and finite, got 0/);
  });
});
