import { strict as assert } from 'node:assert';
import { colourise, inkColour } from '../../src/data/colourise.js';
import { makeDataset } from '../../src/data/dataset.js';
import { foldIn, key } from '../../src/runtime/prng.js';
import { colourShapes } from '../../src/data/colour-shapes.js';

/** Three 2x2 grayscale images with values 0, 1 and in between. */
const gray = makeDataset({ name: 'tiny', split: 'train', n: 3, height: 2, width: 2, numClasses: 2, images: Float32Array.from([0, 1, 0.5, 0.25, 1, 1, 0, 0, 0.75, 0, 1, 0.5]), labels: Uint8Array.from([0, 1, 1]) });

describe('data/colourise', () => {
  it('each pixel is g · ink per channel, with image i inked in inkColour(foldIn(key, i)), every ink channel in [0.3, 1); labels and sizes kept', () => {
    const k = key(5);
    const c = colourise(gray, k);
    assert.deepEqual([c.name, c.split, c.n, c.channels, c.height, c.width, c.numClasses], ['colour tiny', 'train', 3, 3, 2, 2, 2]);
    assert.deepEqual(c.labels, gray.labels);
    for (let i = 0; i < 3; i++) {
      const ink = inkColour(foldIn(k, i));
      for (const v of ink) assert.ok(v >= 0.3 && v < 1, String(v));
      for (let ch = 0; ch < 3; ch++) {
        for (let p = 0; p < 4; p++) {
          const g = gray.images[i * 4 + p]!;
          assert.ok(Math.abs(c.images[(i * 3 + ch) * 4 + p]! - g * ink[ch]!) < 1e-6, `image ${i} channel ${ch} pixel ${p}`);
        }
      }
    }
  });

  it('is deterministic per key, and another key gives other colours', () => {
    assert.deepEqual(colourise(gray, key(5)).images, colourise(gray, key(5)).images);
    assert.notDeepEqual(colourise(gray, key(6)).images, colourise(gray, key(5)).images);
  });

  it('refuses images that already have colour', () => {
    assert.throws(() => colourise(colourShapes('train', { n: 2, size: 8 })), /colourise: colour-shapes \(train\) has 3 channels; it colours grayscale images only/);
  });
});
