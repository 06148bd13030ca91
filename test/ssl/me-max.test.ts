import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray, full } from '../../src/ops/sources.js';
import { softmax } from '../../src/ops/softmax.js';
import { scalarValue } from '../../src/runtime/interpret.js';
import { axisSize, checkGradient, tensorOf } from '../../src/testing/index.js';
import { asProbs } from '../../src/ssl/cross-entropy-soft.js';
import { averageDistribution, meMax, meMaxPenalty } from '../../src/ssl/me-max.js';

describe('ssl/me-max', () => {
  it('is largest (log C) at the uniform distribution', () => {
    const shape = fc.record({ b: axisSize({ min: 1, max: 5 }), c: axisSize({ min: 2, max: 6 }) });
    fc.assert(
      fc.property(shape.chain(({ b, c }) => tensorOf(['B', 'C'], [b, c], { min: -4, max: 4 }).map((x) => ({ b, c, x }))), ({ b, c, x }) => {
        const p = asProbs(softmax(fromArray(x.data, ['B', 'C'], [b, c]), 'C'), 'C');
        const uniform = asProbs(full(1 / c, ['B', 'C'], [b, c]), 'C');
        const top = scalarValue(meMax(uniform, 'C'));
        assert.ok(Math.abs(top - Math.log(c)) < 1e-12);
        const h = scalarValue(meMax(p, 'C'));
        assert.ok(h <= top + 1e-12, `meMax ${h} > log C ${top}`);
        assert.ok(h >= -1e-12);
        assert.ok(Math.abs(scalarValue(meMaxPenalty(p, 'C')) + h) < 1e-12);
      }),
      { numRuns: 100 },
    );
  });

  it('is the entropy of the average, not the average entropy: confident predictions on different classes score high', () => {
    const p = asProbs(fromArray([1, 0, 0, 1], ['B', 'C'], [2, 2]), 'C');
    assert.ok(Math.abs(scalarValue(meMax(p, 'C')) - Math.log(2)) < 1e-15);
    const collapsed = asProbs(fromArray([1, 0, 1, 0], ['B', 'C'], [2, 2]), 'C');
    assert.ok(scalarValue(meMax(collapsed, 'C')) === 0); // -0 or 0
    assert.equal(averageDistribution(p, 'C').axes.join(), 'C');
  });

  it('gradients pass checkGradient', () => {
    fc.assert(
      fc.property(tensorOf(['B', 'C'], [3, 3]), (x) => {
        const r = checkGradient((t) => meMaxPenalty(asProbs(softmax(t as Tensor<['B', 'C']>, 'C'), 'C'), 'C'), [x]);
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 10 },
    );
  });
});
