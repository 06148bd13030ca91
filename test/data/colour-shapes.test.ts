import { strict as assert } from 'node:assert';
import { colourShapes, COLOUR_SHAPES_CLASSES } from '../../src/data/colour-shapes.js';
import { classCounts } from '../../src/data/dataset.js';

describe('data/colour-shapes', () => {
  it('makes [C, H, W] RGB images of every class, deterministic per split', () => {
    const a = colourShapes('train', { n: 200, size: 16 });
    assert.deepEqual([a.n, a.channels, a.height, a.width, a.numClasses], [200, 3, 16, 16, COLOUR_SHAPES_CLASSES.length]);
    assert.ok(classCounts(a).every((c) => c > 30), String(classCounts(a)));
    assert.deepEqual(colourShapes('train', { n: 200, size: 16 }).images, a.images);
    assert.notDeepEqual(colourShapes('test', { n: 200, size: 16 }).images, a.images);
    assert.ok(a.images.every((v) => v >= 0 && v <= 1));
  });

  it('each image has exactly two colours, and the shape covers a fair part of it', () => {
    const ds = colourShapes('test', { n: 40, size: 24 });
    const plane = 24 * 24;
    for (let i = 0; i < ds.n; i++) {
      const colours = new Map<string, number>();
      for (let p = 0; p < plane; p++) {
        const k = [0, 1, 2].map((c) => ds.images[i * 3 * plane + c * plane + p]!.toFixed(4)).join(',');
        colours.set(k, (colours.get(k) ?? 0) + 1);
      }
      assert.equal(colours.size, 2, `image ${i}`);
      const fewer = Math.min(...colours.values());
      assert.ok(fewer > plane * 0.05, `image ${i}: shape of ${fewer} pixels`);
    }
  });

  it('rejects bad sizes', () => {
    assert.throws(() => colourShapes('train', { size: 4 }), /size must be an integer of at least 8, got 4/);
    assert.throws(() => colourShapes('train', { n: -1 }), /n must be a non-negative integer, got -1/);
  });
});
