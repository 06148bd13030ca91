import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { masked, applyMasks, maskValues } from '../../src/prune/masked.js';
import { magnitudeMasks } from '../../src/prune/masks.js';
import { sparsityReport, formatSparsity, everything } from '../../src/prune/report.js';
import { linear } from '../../src/nn/linear.js';
import { serial } from '../../src/nn/combinators.js';
import { relu } from '../../src/nn/activation.js';
import { grad } from '../../src/autodiff/grad.js';
import { fromArray } from '../../src/ops/sources.js';
import { mul } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';

const model = () => serial(linear('C', 'H'), relu(), linear('H', 'D'));

describe('prune/masked', () => {
  it('masked layers get zero gradient at pruned weights and compute with them zeroed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.constantFrom('global' as const, 'layer' as const), (seed, sparsity, scope) => {
        const base = model();
        const sizes = { B: 3, C: 4, H: 5, D: 2 };
        const params = base.init(key(seed), sizes);
        const masks = magnitudeMasks(params, { sparsity, scope });
        const layer = masked(base, masks);
        const x = fromArray(normal(key(seed + 1), 12), ['B', 'C'], [3, 4]);
        const r = fromArray(normal(key(seed + 2), 6), ['B', 'D'], [3, 2]);
        const g = grad((p: typeof params) => sum(mul(layer.apply(p, x) as Tensor<['B', 'D']>, r)))(params);
        const values = evaluate(g) as unknown as [{ weight: { data: Float64Array } }, unknown, { weight: { data: Float64Array } }];
        for (const [path, m] of Object.entries(masks)) {
          const gw = path.startsWith('0.') ? values[0].weight.data : values[2].weight.data;
          m.data.forEach((v, i) => v === 0 && assert.ok(gw[i] === 0, `${path}[${i}] gets gradient ${gw[i]}`));
        }
        // Same output as the unmasked model on zeroed weights.
        const a = evaluate(layer.apply(params, x)).data;
        const b = evaluate(base.apply(maskValues(params, masks), x)).data;
        a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-15));
      }),
      { numRuns: 15 },
    );
  });

  it('init of a masked layer zeroes the pruned weights; the report gives the fraction zero per path', () => {
    const base = model();
    const sizes = { C: 4, H: 5, D: 2 };
    const masks = magnitudeMasks(base.init(key(1), sizes), { sparsity: 0.5, scope: 'layer' });
    const params = masked(base, masks).init(key(1), sizes);
    const report = sparsityReport(params);
    assert.deepEqual(Object.keys(report.layers), ['0.weight', '2.weight']);
    assert.equal(report.layers['0.weight']!.zeros, 10);
    assert.equal(report.layers['2.weight']!.fraction, 0.5);
    assert.equal(report.overall.fraction, 15 / 30);
    const all = sparsityReport(params, { include: everything });
    assert.ok('0.bias' in all.layers);
    assert.match(formatSparsity(report), /^0\.weight\s+50\.0% zero \(10 of 20\)\n2\.weight\s+50\.0% zero \(5 of 10\)\noverall\s+50\.0% zero \(15 of 30\)$/);
    assert.throws(() => applyMasks(params, { 'nope.weight': masks['0.weight']! }), /mask nope\.weight: no such parameter/);
  });
});
