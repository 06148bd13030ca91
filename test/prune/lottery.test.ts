import { strict as assert } from 'node:assert';
import { iterativePruning, type TrainStep } from '../../src/prune/lottery.js';
import { sparsityReport } from '../../src/prune/report.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { grad } from '../../src/autodiff/grad.js';
import { fromArray } from '../../src/ops/sources.js';
import { mul, sub } from '../../src/ops/elementwise.js';
import { mean } from '../../src/ops/statistics.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';

type P = LinearParams<'C', 'D'>;

describe('prune/lottery', () => {
  const layer = linear('C', 'D');
  const sizes = { C: 6, D: 3 };
  const x = fromArray(normal(key(1), 8 * 6), ['B', 'C'], [8, 6]);
  const target = fromArray(normal(key(2), 8 * 3), ['B', 'D'], [8, 3]);
  const loss = (p: P) => {
    const e = sub(layer.apply(p, x) as Tensor<['B', 'D']>, target);
    return mean(mul(e, e));
  };
  const sgd: TrainStep<P> = (p) => {
    const g = grad(loss)(p);
    return { weight: sub(p.weight, mul(g.weight, 0.1)), bias: sub(p.bias, mul(g.bias, 0.1)) } as P;
  };

  it('trains, prunes a fraction of the remaining weights, and rewinds survivors to their step-r values', () => {
    const init = layer.init(key(3), sizes);
    const steps: number[] = [];
    const train: TrainStep<P> = (p, step, masks) => {
      steps.push(step);
      assert.ok(Object.keys(masks).includes('weight'));
      return sgd(p, step, masks);
    };
    const result = iterativePruning(init, train, { rounds: 3, fraction: 0.25, steps: 5, rewindStep: 2 });
    assert.deepEqual(steps, [0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4], 'a full run, then from the rewind step');
    // θ_r is the weights after two steps of the first run.
    const theta = evaluate(sgd(sgd(init, 0, {}), 1, {}).weight).data;
    const rewindPoint = evaluate(result.rewindPoint.weight).data;
    rewindPoint.forEach((v, i) => assert.ok(Math.abs(v - theta[i]!) < 1e-15));
    const zerosExpected = [5, 8, 11]; // 18 weights: 18·0.25 → 5 (4.5 rounds half up), then 13·0.25 → 3, 10·0.25 → 3 (2.5 → 3)
    result.rounds.forEach((round, r) => {
      const mask = round.masks['weight']!.data;
      const rewound = evaluate(round.rewound.weight).data;
      mask.forEach((m, i) => assert.ok(rewound[i] === (m === 0 ? 0 : rewindPoint[i]), `round ${round.round}, weight ${i}: ${rewound[i]}`));
      assert.equal(mask.filter((m) => m === 0).length, zerosExpected[r]);
      assert.equal(round.sparsity, zerosExpected[r]! / 18);
      if (r > 0) result.rounds[r - 1]!.masks['weight']!.data.forEach((m, i) => m === 0 && assert.equal(mask[i], 0));
      // Pruned weights stayed exactly zero during the round's training.
      const trained = evaluate(round.trained.weight).data;
      if (r > 0) result.rounds[r - 1]!.masks['weight']!.data.forEach((m, i) => m === 0 && assert.ok(trained[i] === 0));
    });
    assert.equal(result.params, result.rounds[2]!.rewound);
    assert.equal(sparsityReport(result.params).layers['weight']!.zeros, 11);
    // Biases are never pruned.
    assert.deepEqual(evaluate(result.params.bias).data, evaluate(result.rewindPoint.bias).data);
  });

  it('rewind step 0 is the original lottery ticket (the initial weights)', () => {
    const init = layer.init(key(4), sizes);
    const result = iterativePruning(init, sgd, { rounds: 1, fraction: 0.5, steps: 3, rewindStep: 0 });
    const w0 = evaluate(init.weight).data;
    const mask = result.masks['weight']!.data;
    evaluate(result.params.weight).data.forEach((v, i) => assert.ok(v === (mask[i] === 0 ? 0 : w0[i])));
    assert.throws(() => iterativePruning(init, sgd, { rounds: 1, fraction: 0.5, steps: 3, rewindStep: 4 }), /rewindStep must be an integer in \[0, 3\]/);
  });
});
