import { strict as assert } from 'node:assert';
import { labelledSubset } from '../../src/train/paws.js';
import { key } from '../../src/runtime/prng.js';

describe('train/paws labelledSubset', () => {
  const labels = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 10);

  it('takes exactly N images of each class, class by class, the same for the same key', () => {
    const idx = labelledSubset(labels, 10, 4, key(1));
    assert.equal(idx.length, 40);
    for (let c = 0; c < 10; c++) assert.deepEqual([...idx.subarray(c * 4, c * 4 + 4)].map((i) => labels[i]), [c, c, c, c]);
    assert.equal(new Set(idx).size, 40);
    assert.deepEqual(labelledSubset(labels, 10, 4, key(1)), idx);
    assert.notDeepEqual(labelledSubset(labels, 10, 4, key(2)), idx);
  });

  it('says which class has too few images', () => {
    assert.throws(() => labelledSubset(labels, 10, 31, key(1)), /class 0 has 30 images, fewer than 31 labels per class/);
  });
});
