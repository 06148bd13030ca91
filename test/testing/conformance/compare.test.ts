import { strict as assert } from 'node:assert';
import { compare } from '../../../src/testing/conformance/compare.js';

describe('testing/conformance compare', () => {
  const tol = { atol: 1e-6, rtol: 1e-6 };

  it('passes values within the tolerance and fails one outside it', () => {
    assert.equal(compare([1, 2], [1, 2 + 1e-7], tol).ok, true);
    assert.equal(compare([1, 2], [1, 2.1], tol).worst, 1);
  });

  it('a golden value of infinity does not pass, whatever was computed (its tolerance would be infinite)', () => {
    for (const actual of [5, Infinity, -Infinity, NaN]) {
      for (const golden of [Infinity, -Infinity]) {
        const c = compare([0, actual], [0, golden], tol);
        assert.equal(c.ok, false, `${actual} against ${golden}`);
        assert.equal(c.worst, 1);
      }
    }
  });

  it('a NaN computed or expected fails', () => {
    assert.equal(compare([NaN], [1], tol).ok, false);
    assert.equal(compare([1], [NaN], tol).ok, false);
  });
});
