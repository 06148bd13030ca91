import { strict as assert } from 'node:assert';
import { convPatchEmbed } from '../../../src/nn/xcit/conv-patch-embed.js';
import { runLayer } from '../../../src/nn/layer.js';
import { parameterPaths, withUpdates } from '../../../src/nn/params.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { checkGradient } from '../../../src/testing/check-gradient.js';
import { ShapeError } from '../../../src/shape/errors.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { Images } from '../../../src/nn/xcit/conv-patch-embed.js';
import { expectAllPass, golden, leavesOf, nd, randomData, randomizeParams, variant } from './support.js';

const bnNames = (i: number) => ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight'].map((b) => `proj.${i}.1.${b}`);

describe('nn/xcit/conv-patch-embed', () => {
  it('reproduces conv_patch_embed.json (patch 8), eval and train with every BatchNorm update and Hp_Wp', () => {
    expectAllPass(golden('conv_patch_embed'), 35);
  });

  it('reproduces an independent numpy stem for patch 16 on a non-square 32x48 image (Hp=2, Wp=3)', () => {
    expectAllPass(variant('conv_patch_embed'), 18);
  });

  it('names its parameters as the official nn.Sequential (GELUs at the odd indices)', () => {
    const p8 = convPatchEmbed({ patch: 8 }).init(key(0), { C: 16, Cin: 3 });
    assert.deepEqual(parameterPaths(p8).sort(), [0, 2, 4].flatMap((i) => [`proj.${i}.0.weight`, ...bnNames(i)]).sort());
    const p16 = convPatchEmbed({ patch: 16 }).init(key(0), { C: 32, Cin: 3 });
    assert.deepEqual(
      parameterPaths(p16).filter((k) => k.endsWith('.0.weight')).map((k) => (p16.proj[Number(k.split('.')[1])] as readonly [{ weight: Tensor }, unknown])[0].weight.sizes),
      [[4, 3, 3, 3], [8, 4, 3, 3], [16, 8, 3, 3], [32, 16, 3, 3]],
    );
    assert.deepEqual(p16.proj[1], {});
  });

  it('generalises the stem to patch 4 (two stride-2 stages): 28x28x1 -> 7x7 tokens', () => {
    const layer = convPatchEmbed({ patch: 4 });
    assert.equal(layer.stages, 2);
    const p = layer.init(key(1), { C: 8, Cin: 1 });
    const { tokens, grid } = layer.embed(p, fromArray(randomData(1, 2 * 28 * 28), ['B', 'Cin', 'H', 'W'], [2, 1, 28, 28]));
    assert.deepEqual(grid, { H: 7, W: 7 });
    assert.deepEqual(tokens.axes, ['B', 'N', 'C']);
    assert.deepEqual(tokens.sizes, [2, 49, 8]);
    assert.throws(() => convPatchEmbed({ patch: 12 }), ShapeError);
    assert.throws(() => convPatchEmbed({ patch: 16 }).init(key(0), { C: 12 }), ShapeError);
  });

  it('in training emits every BatchNorm update under proj.<2i>.1.*, and withUpdates folds them back', () => {
    const layer = convPatchEmbed({ patch: 4 });
    const p = layer.init(key(2), { C: 4, Cin: 1 });
    const { emitted } = runLayer(layer, p, fromArray(randomData(2, 2 * 8 * 8), ['B', 'Cin', 'H', 'W'], [2, 1, 8, 8]), { training: true });
    assert.deepEqual(Object.keys(emitted).sort(), ['proj.0.1.num_batches_tracked', 'proj.0.1.running_mean', 'proj.0.1.running_var', 'proj.2.1.num_batches_tracked', 'proj.2.1.running_mean', 'proj.2.1.running_var']);
    const next = evaluate(withUpdates(p, emitted));
    assert.equal((next.proj[2] as unknown as [unknown, { num_batches_tracked: { data: Float64Array } }])[1].num_batches_tracked.data[0], 1);
  });

  it('has correct gradients in train mode (finite differences)', () => {
    const layer = convPatchEmbed({ patch: 4 });
    const p = randomizeParams(layer.init(key(3), { C: 4, Cin: 2 }), 5);
    const weights = p.proj.filter((_, i) => i % 2 === 0).map((s) => (s as readonly [{ weight: Tensor }, unknown])[0].weight);
    const { values, rebuild } = leavesOf(weights);
    const x = nd(['B', 'Cin', 'H', 'W'], [2, 2, 4, 4], randomData(6, 64));
    const f = (xt: Tensor, ...ws: Tensor[]) => {
      const w = rebuild(ws);
      const proj = p.proj.map((s, i) => (i % 2 === 0 ? [{ weight: w[i / 2]! }, (s as readonly [unknown, unknown])[1]] : s)) as typeof p.proj;
      return runLayer(layer, { proj }, xt as Images, { training: true }).y;
    };
    const result = checkGradient(f, [x, ...values]);
    assert.ok(result.ok, result.message);
  });
});
