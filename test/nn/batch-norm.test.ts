import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { batchNorm, runLayer, withUpdates } from '../../src/nn/index.js';
import { checkGradient } from '../../src/testing/index.js';
import type { Tensor } from '../../src/index.js';

const sizes = { B: 3, C: 2, H: 2, W: 2 };
const xs = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 2 + (i % 2));
const x = sg.fromArray(xs, ['B', 'C', 'H', 'W'], sizes);
const params = {
  weight: sg.fromArray([1.5, 0.5], ['C'], sizes),
  bias: sg.fromArray([0.1, -0.2], ['C'], sizes),
  running_mean: sg.fromArray([0.3, -0.1], ['C'], sizes),
  running_var: sg.fromArray([2, 0.5], ['C'], sizes),
  num_batches_tracked: sg.fromArray([4], [], []),
};

/** Channel c's values of x in [B, C, H, W] layout. */
const channel = (c: number) => xs.filter((_, i) => Math.floor(i / 4) % 2 === c);

describe('nn/batchNorm', () => {
  it('evaluation uses the running statistics', () => {
    const y = sg.valueOf(batchNorm('C').apply(params, x));
    const i = 5; // b=0, c=1, h=0, w=1
    assert.ok(Math.abs(y[i]! - ((xs[i]! + 0.1) / Math.sqrt(0.5 + 1e-5) * 0.5 - 0.2)) < 1e-12);
  });

  it('training normalises with batch statistics and emits PyTorch running statistics (unbiased variance)', () => {
    const { y, emitted } = runLayer(batchNorm('C'), params, x, { training: true });
    const values = sg.evaluate({ y, mean: emitted['running_mean']!, var: emitted['running_var']!, n: emitted['num_batches_tracked']! });
    [0, 1].forEach((c) => {
      const v = channel(c);
      const mu = v.reduce((a, b) => a + b, 0) / v.length;
      const biased = v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length;
      const unbiased = (biased * v.length) / (v.length - 1);
      const rm = [0.3, -0.1][c]!;
      const rv = [2, 0.5][c]!;
      assert.ok(Math.abs(values.mean.data[c]! - (0.9 * rm + 0.1 * mu)) < 1e-14);
      assert.ok(Math.abs(values.var.data[c]! - (0.9 * rv + 0.1 * unbiased)) < 1e-14);
      const i = c * 4; // b=0, c, h=0, w=0
      const expected = ((xs[i]! - mu) / Math.sqrt(biased + 1e-5)) * [1.5, 0.5][c]! + [0.1, -0.2][c]!;
      assert.ok(Math.abs(values.y.data[i]! - expected) < 1e-12);
    });
    assert.equal(values.n.data[0], 5);
  });

  it('withUpdates folds the emitted statistics back into the parameters, leaving the old ones unchanged', () => {
    const model = { bn: params };
    const layer = { init: () => model, apply: (p: typeof model, t: Tensor<['B', 'C', 'H', 'W']>, ctx?: sg.nn.ApplyContext) => batchNorm('C').apply(p.bn, t, sg.nn.within(ctx, 'bn')) };
    const { emitted } = runLayer(layer, model, x, { training: true });
    assert.deepEqual(Object.keys(emitted).sort(), ['bn.num_batches_tracked', 'bn.running_mean', 'bn.running_var']);
    const next = withUpdates(model, emitted);
    assert.notEqual(next.bn.running_mean, model.bn.running_mean);
    assert.equal(next.bn.weight, model.bn.weight);
    assert.equal(sg.valueOf(next.bn.num_batches_tracked)[0], 5);
    assert.equal(sg.valueOf(model.bn.num_batches_tracked)[0], 4);
  });

  it('gradients flow through the batch statistics in training and never into the running statistics', () => {
    const data = { axes: ['B', 'C', 'H', 'W'], sizes: [3, 2, 2, 2], data: Float64Array.from(xs) };
    const train = checkGradient((t) => runLayer(batchNorm('C'), params, t as Tensor<['B', 'C', 'H', 'W']>, { training: true }).y, [data]);
    assert.ok(train.ok, train.message);
    const g = sg.evaluate(sg.grad((p: typeof params) => sg.sum(batchNorm('C').apply(p, x)))(params));
    assert.deepEqual(Array.from(g.running_mean.data), [0, 0]);
    assert.deepEqual(Array.from(g.running_var.data), [0, 0]);
  });

  it('refuses to train on one value per channel, naming the layer', () => {
    const one = sg.fromArray([1, 2], ['B', 'C'], { B: 1, C: 2 });
    assert.throws(() => runLayer(batchNorm('C'), params, one, { training: true }), /batchNorm at \(root\): training needs more than one value per channel, got 1/);
  });
});
