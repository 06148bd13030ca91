import { strict as assert } from 'node:assert';
import { loadDataset, requireTrainerImages } from '../../src/train/run.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { makeDataset } from '../../src/data/dataset.js';

describe('train/run: the CLI datasets', () => {
  const grey = (height: number, width: number, channels?: number) =>
    makeDataset({ name: 'g', split: 'train', n: 1, height, width, ...(channels === undefined ? {} : { channels }), numClasses: 1, images: new Float32Array((channels ?? 1) * height * width), labels: new Uint8Array(1) });

  it('takes colour for DINO, sized from the dataset', () => {
    assert.deepEqual(requireTrainerImages(colourShapes('test', { n: 4 }), 'dino', 'xcit-tiny'), { channels: 3, side: 32 });
    assert.deepEqual(requireTrainerImages(grey(28, 28), 'swav', 'xcit-tiny'), { channels: 1, side: 28 });
    assert.deepEqual(requireTrainerImages(colourShapes('test', { n: 4, size: 30 }), 'dino', 'regnety-tiny'), { channels: 3, side: 30 });
  });

  it('refuses images the method or backbone cannot take, saying what they hold and what is accepted', () => {
    assert.throws(() => requireTrainerImages(grey(28, 32), 'dino', 'xcit-tiny'), /g \(train\) has 1x28x32 images; the trainers take square images with 1 \(grayscale\) or 3 \(RGB\) channels/);
    assert.throws(() => requireTrainerImages(grey(28, 28, 2), 'dino', 'xcit-tiny'), /g \(train\) has 2x28x28 images; the trainers take square images with 1 \(grayscale\) or 3 \(RGB\)/);
    assert.throws(() => requireTrainerImages(colourShapes('test', { n: 4, size: 30 }), 'dino', 'vit-tiny'), /colour-shapes \(test\) has 3x30x30 images; vit-tiny takes .*a multiple of 4 \(its patch size\)/);
    assert.throws(() => requireTrainerImages(grey(4, 4), 'dino', 'regnety-tiny'), /has 1x4x4 images; regnety-tiny takes .*at least 8/);
    assert.throws(() => requireTrainerImages(colourShapes('test', { n: 4 }), 'swav', 'xcit-tiny'), /colour-shapes \(test\) has 3x32x32 images; the swav trainer takes 1x28x28 \(grayscale 28x28\) images only so far \(dino take colour/);
    assert.throws(() => requireTrainerImages(grey(8, 8), 'paws', 'xcit-tiny'), /has 1x8x8 images; the paws trainer takes 1x28x28/);
  });

  it('names a missing --data-root before loading anything', () => {
    assert.throws(() => loadDataset('cifar100', 'test'), /cifar100 needs a data root \(--data-root FOLDER\)/);
  });
});
