import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ownSubHead } from '../../src/ssl/sub-class-heads.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { grad } from '../../src/autodiff/grad.js';
import { evaluate } from '../../src/runtime/interpret.js';
import type { Tensor } from '../../src/ir/tensor.js';

describe('ssl/sub-class-heads', () => {
  it("each row gets the Q logits of its own super-cluster's head", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(99), { minLength: 1, maxLength: 5 }), (heads, q, draws) => {
        const b = draws.length;
        const own = draws.map((d) => d % heads);
        const data = Float64Array.from({ length: b * heads * q }, (_, i) => i * 0.5 - 3);
        const out = evaluate(ownSubHead(fromArray(data, ['B', 'K'], [b, heads * q]), fromArray(own, ['B'], [b]), heads, 'Q'));
        assert.deepEqual(out.axes, ['B', 'Q']);
        own.forEach((s, i) => assert.deepEqual(out.data.slice(i * q, (i + 1) * q), data.slice(i * heads * q + s * q, i * heads * q + (s + 1) * q)));
      }),
    );
  });

  it('gives no gradient to the heads of other super-clusters', () => {
    const logits = fromArray(Float64Array.from({ length: 2 * 6 }, (_, i) => i), ['B', 'K'], [2, 6]);
    const g = evaluate(grad((x: Tensor<['B', 'K']>) => sum(ownSubHead(x, fromArray([2, 0], ['B'], [2]), 3, 'Q')))(logits));
    assert.deepEqual(Array.from(g.data), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('names outputs that do not split into equal heads', () => {
    assert.throws(() => ownSubHead(fromArray(new Float64Array(10), ['B', 'K'], [2, 5]), fromArray([0, 1], ['B'], [2]), 2, 'Q'), /5 outputs do not split into 2 heads/);
  });
});
