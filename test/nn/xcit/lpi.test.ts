import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { lpi } from '../../../src/nn/xcit/lpi.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths, withUpdates } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import { ShapeError } from '../../../src/shape/errors.js';
import type { Tokens } from '../../../src/nn/xcit/heads.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

describe('nn/xcit/lpi', () => {
  it('reproduces lpi.json, eval and train (running statistics and num_batches_tracked after the update)', () => {
    expectAllPass(golden('lpi'), 21);
  });

  it('reproduces an independent numpy LPI on a non-square grid (H=2 rows, W=3 columns)', () => {
    expectAllPass(variant('lpi'), 7);
  });

  it('names its parameters as the official state_dict (depthwise weights [C, 1, 3, 3])', () => {
    const p = lpi().init(key(0), { C: 5 });
    assert.deepEqual(parameterPaths(p).sort(), [
      'bn.bias', 'bn.num_batches_tracked', 'bn.running_mean', 'bn.running_var', 'bn.weight',
      'conv1.bias', 'conv1.weight', 'conv2.bias', 'conv2.weight',
    ]);
    assert.deepEqual(p.conv1.weight.sizes, [5, 1, 3, 3]);
    const w = evaluate(p.conv1.weight).data;
    assert.ok(w.every((v) => Math.abs(v) <= 1 / 3), 'PyTorch default conv init: |w| <= 1/sqrt(fan_in) = 1/3');
  });

  it('keeps rows and columns straight: a kernel reading the pixel above moves tokens down one row', () => {
    // conv1 = shift by one row (tap (0, 1) reads row i-1), conv2 = identity tap, BN eval with identity stats.
    const [h, w, c] = [3, 4, 1];
    const layer = lpi({ grid: { H: h, W: w } });
    const p = layer.init(key(0), { C: c });
    const tap = (u: number, v: number) => fromArray(Array.from({ length: 9 }, (_, i) => (i === u * 3 + v ? 1 : 0)), ["C'", 'C', 'KH', 'KW'], [1, 1, 3, 3]);
    const zero = fromArray([0], ['C'], [1]);
    const params = { ...p, conv1: { weight: tap(0, 1), bias: zero }, conv2: { weight: tap(1, 1), bias: zero } };
    const xs = Array.from({ length: h * w }, (_, n) => 1 + n);
    const y = evaluate(layer.apply(params, fromArray(xs, ['B', 'N', 'C'], [1, h * w, c]))).data;
    const gelu = (v: number) => (v * (1 + erfApprox(v / Math.SQRT2))) / 2;
    const bn = (v: number) => v / Math.sqrt(1 + 1e-5);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const want = i === 0 ? bn(gelu(0)) : bn(gelu(xs[(i - 1) * w + j]!));
        assert.ok(Math.abs(y[i * w + j]! - want) < 1e-6, `token (${i}, ${j}): ${y[i * w + j]} vs ${want}`);
      }
  });

  it('in training emits the new running statistics by path, which withUpdates folds back', () => {
    const layer = lpi();
    const p = layer.init(key(0), { C: 2 });
    const { emitted } = runLayer(layer, p, fromArray(randomData(3, 2 * 4 * 2), ['B', 'N', 'C'], [2, 4, 2]), { training: true });
    assert.deepEqual(Object.keys(emitted).sort(), ['bn.num_batches_tracked', 'bn.running_mean', 'bn.running_var']);
    const next = evaluate(withUpdates(p, emitted));
    assert.equal(next.bn.num_batches_tracked.data[0], 1);
    assert.notDeepEqual(Array.from(next.bn.running_mean.data), [0, 0]);
  });

  it('needs a grid that holds the tokens (square by default)', () => {
    const p = lpi().init(key(0), { C: 2 });
    const x6 = fromArray(randomData(1, 12), ['B', 'N', 'C'], [1, 6, 2]);
    assert.throws(() => lpi().apply(p, x6), (e: unknown) => e instanceof ShapeError && /not a square grid/.test(e.message));
    assert.throws(() => lpi({ grid: { H: 2, W: 2 } }).apply(p, x6), (e: unknown) => e instanceof ShapeError && /H=2 x W=2/.test(e.message));
    assert.deepEqual(lpi().applyGrid(p, x6, { H: 3, W: 2 }).sizes, [1, 6, 2]);
  });

  for (const training of [false, true]) {
    it(`has correct gradients in ${training ? 'train' : 'eval'} mode (finite differences, non-square grids)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1e6 }), (b, h, w, c, seed) => {
          const layer = lpi({ grid: { H: h, W: w } });
          const p = layer.init(key(seed), { C: c });
          const { bn, ...convs } = p;
          const trainable = randomizeParams({ ...convs, bnWeight: bn.weight, bnBias: bn.bias }, seed);
          const { values, rebuild } = leavesOf(trainable);
          const stats = { ...bn, running_var: fromArray(randomData(seed, c, 0.1, 1).map(Math.abs), ['C'], [c]) };
          const x = nd(['B', 'N', 'C'], [b, h * w, c], randomData(seed + 1, b * h * w * c));
          const g = (xt: Tensor, ...ps: Tensor[]) => {
            const { bnWeight, bnBias, ...t } = rebuild(ps);
            return runLayer(layer, { ...t, bn: { ...stats, weight: bnWeight, bias: bnBias } }, xt as Tokens, { training }).y;
          };
          const result = checkGradient(g, [x, ...values], { seed });
          assert.ok(result.ok, result.message);
        }),
        { numRuns: 3 },
      );
    });
  }
});

/** erf to ~1e-7 (Abramowitz–Stegun 7.1.26): enough for the orientation test above. */
function erfApprox(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
