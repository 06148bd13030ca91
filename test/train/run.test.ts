import { strict as assert } from 'node:assert';
import { loadDataset, requireTrainerImages } from '../../src/train/run.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { makeDataset } from '../../src/data/dataset.js';

describe('train/run: the CLI datasets', () => {
  const grey = (height: number, width: number, channels?: number) =>
    makeDataset({ name: 'g', split: 'train', n: 1, height, width, ...(channels === undefined ? {} : { channels }), numClasses: 1, images: new Float32Array((channels ?? 1) * height * width), labels: new Uint8Array(1) });

  it('takes grayscale and colour, sized from the dataset', () => {
    assert.deepEqual(requireTrainerImages(colourShapes('test', { n: 4 }), 'xcit-tiny'), { channels: 3, side: 32 });
    assert.deepEqual(requireTrainerImages(grey(28, 28), 'resmlp-tiny'), { channels: 1, side: 28 });
    assert.deepEqual(requireTrainerImages(grey(36, 36), 'vit-tiny'), { channels: 1, side: 36 });
    assert.deepEqual(requireTrainerImages(colourShapes('test', { n: 4, size: 30 }), 'regnety-tiny'), { channels: 3, side: 30 });
  });

  it('refuses images the backbone cannot take, saying what they hold and what is accepted', () => {
    assert.throws(() => requireTrainerImages(grey(28, 32), 'xcit-tiny'), /^Error: g \(train\) has 1x28x32 images; the trainers take square images with 1 \(grayscale\) or 3 \(RGB\) channels$/);
    assert.throws(() => requireTrainerImages(grey(28, 28, 2), 'xcit-tiny'), /^Error: g \(train\) has 2x28x28 images; the trainers take square images with 1 \(grayscale\) or 3 \(RGB\) channels$/);
    assert.throws(() => requireTrainerImages(colourShapes('test', { n: 4, size: 30 }), 'vit-tiny'), /^Error: colour-shapes \(test\) has 3x30x30 images; vit-tiny takes 1 \(grayscale\) or 3 \(RGB\) channels and square images whose side is a multiple of 4 \(its patch size\)$/);
    assert.throws(() => requireTrainerImages(grey(4, 4), 'regnety-tiny'), /has 1x4x4 images; regnety-tiny takes .* whose side is at least 8$/);
  });

  it('names a missing --data-root before loading anything', () => {
    assert.throws(() => loadDataset('cifar100', 'test'), /cifar100 needs a data root \(--data-root FOLDER\)/);
  });
});
