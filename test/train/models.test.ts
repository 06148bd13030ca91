import { strict as assert } from 'node:assert';
import { valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { fromArray } from '../../src/ops/sources.js';
import { backbone, modelNames, viewSideFor } from '../../src/train/models.js';
import { evaluate } from '../../src/runtime/interpret.js';
import type { Tensor } from '../../src/ir/tensor.js';

const images = (n: number, side: number): Tensor<['B', 'H', 'W']> => fromArray(Float64Array.from({ length: n * side * side }, (_, i) => (Math.sin(i) + 1) / 2), ['B', 'H', 'W'], [n, side, side]);

describe('train/models', () => {
  it('offers vit-tiny and regnety-tiny beside the XCiT and ResMLP backbones', () => {
    for (const name of ['xcit-tiny', 'resmlp-tiny', 'vit-tiny', 'regnety-tiny'] as const) assert.ok(modelNames.includes(name), name);
  });

  for (const [name, dim] of [['vit-tiny', 32], ['regnety-tiny', 32]] as const) {
    it(`${name}: features [B, ${dim}] of 28×28 digits and of 12×12 local views with the same parameters`, () => {
      const net = backbone(name);
      assert.equal(net.dim, dim);
      assert.ok(net.acceptsLocalViews);
      const params = net.init(key(0));
      const global = valueOf(net.features(params, images(2, 28)));
      assert.equal(global.length, 2 * dim);
      assert.ok(global.every(Number.isFinite));
      const local = net.features(params, images(3, 12));
      assert.deepEqual(local.sizes, [3, dim]);
      // Two different images give different features (the backbone depends on its input).
      assert.notDeepEqual(Array.from(global.subarray(0, dim)), Array.from(global.subarray(dim)));
    });
  }

  const colour = (n: number, side: number): Tensor<['B', 'C', 'H', 'W']> => fromArray(Float64Array.from({ length: n * 3 * side * side }, (_, i) => (Math.cos(i * 0.7) + 1) / 2), ['B', 'C', 'H', 'W'], [n, 3, side, side]);

  for (const name of modelNames) {
    it(`${name}: sized from the images (in_chans 3, side 32): features of [B, 3, 32, 32] images, every channel read`, () => {
      const net = backbone(name, { channels: 3, side: 32 });
      assert.deepEqual(net.image, { channels: 3, side: 32 });
      const params = net.init(key(0));
      const x = colour(2, 32);
      const f = valueOf(net.features(params, x));
      assert.equal(f.length, 2 * net.dim);
      assert.ok(f.every(Number.isFinite));
      // swapping two channels changes the features: the model reads each channel with its own weights
      const swapped = fromArray(Float64Array.from(valueOf(x), (_, i) => { const p = 32 * 32; const [b, c, r] = [Math.floor(i / (3 * p)), Math.floor(i / p) % 3, i % p]; const from = c === 0 ? 1 : c === 1 ? 0 : 2; return valueOf(x)[(b * 3 + from) * p + r]!; }), ['B', 'C', 'H', 'W'], [2, 3, 32, 32]);
      const g = valueOf(net.features(params, swapped));
      assert.ok(g.some((v, i) => Math.abs(v - f[i]!) > 1e-9), 'features depend on the channel order');
      if (net.acceptsLocalViews) assert.deepEqual(net.features(params, colour(1, viewSideFor(net, 14))).sizes, [1, net.dim]);
    });
  }

  it('grayscale defaults are MNIST 1x28x28: the same initial weights as backbone(name, { channels: 1, side: 28 })', () => {
    for (const name of modelNames) {
      const a = evaluate(backbone(name).init(key(3))) as Record<string, unknown>;
      const b = evaluate(backbone(name, { channels: 1, side: 28 }).init(key(3))) as Record<string, unknown>;
      assert.deepEqual(a, b, name);
      assert.deepEqual(backbone(name).image, { channels: 1, side: 28 });
    }
  });

  it('refuses images it cannot take, naming them and what it takes', () => {
    assert.throws(() => backbone('vit-tiny', { channels: 3, side: 30 }), /vit-tiny: cannot take images of side 30 \(3x30x30\); it takes 1 \(grayscale\) or 3 \(RGB\) channels and square images whose side is a multiple of 4 \(its patch size\)/);
    assert.throws(() => backbone('xcit-tiny', { channels: 2, side: 28 }), /xcit-tiny: cannot take images of 2 channels \(2x28x28\)/);
    assert.throws(() => backbone('regnety-tiny', { channels: 1, side: 6 }), /regnety-tiny: cannot take images of side 6 .*at least 8/);
    assert.deepEqual([viewSideFor({ sideMultiple: 4 }, 13.71), viewSideFor({ sideMultiple: 4 }, 14), viewSideFor({ sideMultiple: 4 }, 2), viewSideFor({ sideMultiple: 1 }, 14)], [12, 16, 4, 14]);
  });
});
