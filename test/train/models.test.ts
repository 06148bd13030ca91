import { strict as assert } from 'node:assert';
import { valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { fromArray } from '../../src/ops/sources.js';
import { backbone, modelNames } from '../../src/train/models.js';
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
});
