import { strict as assert } from 'node:assert';
import { loadDataset, requireTrainerImages } from '../../src/train/run.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { makeDataset } from '../../src/data/dataset.js';

describe('train/run: the CLI datasets', () => {
  it('refuses images the trainers cannot take, saying what they hold', () => {
    assert.throws(() => requireTrainerImages(colourShapes('test', { n: 4 })), /colour-shapes \(test\) has 3x32x32 images; the trainers and backbones take 1x28x28/);
    const small = makeDataset({ name: 'g', split: 'train', n: 1, height: 8, width: 8, numClasses: 1, images: new Float32Array(64), labels: new Uint8Array(1) });
    assert.throws(() => requireTrainerImages(small), /g \(train\) has 1x8x8 images/);
    const ok = makeDataset({ ...small, height: 28, width: 28, images: new Float32Array(784) });
    assert.equal(requireTrainerImages(ok), ok);
  });

  it('names a missing --data-root before loading anything', () => {
    assert.throws(() => loadDataset('cifar100', 'test'), /cifar100 needs a data root \(--data-root FOLDER\)/);
  });
});
