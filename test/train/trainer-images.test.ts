import { strict as assert } from 'node:assert';
import { batchImagesSpec, cropOptions, datasetImages, recordedImages, sourceSize, valuesPerImage } from '../../src/train/trainer-images.js';
import { backbone } from '../../src/train/models.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { makeDataset } from '../../src/data/dataset.js';
import { DEFAULT_FLIP, dinoCrops, pawsCrops, swavCrops } from '../../src/data/multi-crop.js';

describe('train/trainer-images', () => {
  it('a dataset as an image shape: square, 1 or 3 channels, else an error naming what it has', () => {
    assert.deepEqual(datasetImages(colourShapes('test', { n: 2, size: 20 })), { channels: 3, side: 20 });
    const wide = makeDataset({ name: 'w', split: 'test', n: 1, height: 4, width: 6, numClasses: 1, images: new Float32Array(24), labels: new Uint8Array(1) });
    assert.throws(() => datasetImages(wide), /^RangeError: w \(test\) has 1x4x6 images; the backbones take square images with 1 \(grayscale\) or 3 \(RGB\) channels$/);
  });

  it('batches: [B, H, W] for grayscale (as before colour), [B, C, H, W] for RGB', () => {
    const g = batchImagesSpec({ channels: 1, side: 28 }, 8);
    assert.deepEqual([g.axes, g.sizes], [['B', 'H', 'W'], [8, 28, 28]]);
    const c = batchImagesSpec({ channels: 3, side: 32 }, 4, 'support');
    assert.deepEqual([c.axes, c.sizes], [['B', 'C', 'H', 'W'], [4, 3, 32, 32]]);
    assert.deepEqual(sourceSize({ channels: 3, side: 32 }), { height: 32, width: 32 });
    assert.equal(valuesPerImage({ channels: 3, side: 32 }), 3072);
  });

  it("crop options: the recipe's local side scaled to the image, moved to the nearest side the backbone takes", () => {
    const at = (model: 'xcit-tiny' | 'regnety-tiny', side: number, recipe: 'dino' | 'paws') => cropOptions(backbone(model, { channels: 3, side }), recipe).localSize;
    assert.deepEqual([at('xcit-tiny', 28, 'dino'), at('xcit-tiny', 32, 'dino'), at('regnety-tiny', 32, 'dino'), at('xcit-tiny', 28, 'paws'), at('xcit-tiny', 32, 'paws')], [12, 12, 14, 16, 20]);
    assert.deepEqual(cropOptions(backbone('vit-tiny'), 'swav'), { channels: 1, side: 28, flip: 0.5, localSize: 12 });
  });

  it("--flip reaches every view of each recipe (the recipes' 0.5 unless given)", () => {
    const net = backbone('xcit-tiny');
    for (const [recipe, preset] of [['dino', dinoCrops], ['swav', swavCrops], ['paws', pawsCrops]] as const) {
      for (const flip of [undefined, 0, 0.25]) {
        const crops = preset({ localViews: 2, ...cropOptions(net, recipe, flip) });
        const views = [...crops.global, ...crops.local];
        assert.equal(views.length, 4);
        assert.ok(views.every((v) => v.flip === (flip ?? DEFAULT_FLIP)), `${recipe}, flip ${flip}: ${views.map((v) => v.flip).join(', ')}`);
      }
    }
  });

  it("a run's recorded image shape: absent (runs from before colour) is 1x28x28, a malformed one an error", () => {
    assert.deepEqual(recordedImages({}), { channels: 1, side: 28 });
    assert.deepEqual(recordedImages({ image: { channels: 3, side: 32 } }), { channels: 3, side: 32 });
    assert.throws(() => recordedImages({ image: { channels: '3' } }), /the run's config has image \{"channels":"3"\}, not \{ channels, side \}/);
  });
});
