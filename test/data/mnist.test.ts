import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classCounts } from '../../src/data/dataset.js';
import { defaultMnistRoot, loadMnist } from '../../src/data/mnist.js';

function stats(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    s += v;
    s2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), min, max };
}

describe('data/mnist', () => {
  it('loads the 60000 training images, fast, with labels 0..9 and the known pixel statistics', () => {
    const t0 = performance.now();
    const train = loadMnist('train');
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `loading took ${ms.toFixed(0)} ms`);
    assert.equal(train.name, 'mnist');
    assert.equal(train.split, 'train');
    assert.equal(train.n, 60000);
    assert.equal(train.height, 28);
    assert.equal(train.width, 28);
    assert.equal(train.numClasses, 10);
    assert.equal(train.images.length, 60000 * 784);
    assert.deepEqual(classCounts(train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // torchvision's MNIST normalisation constants are these statistics.
    const s = stats(train.images);
    assert.ok(Math.abs(s.mean - 0.1307) < 1e-4, `mean ${s.mean}`);
    assert.ok(Math.abs(s.std - 0.3081) < 1e-4, `std ${s.std}`);
    assert.equal(s.min, 0);
    assert.equal(s.max, 1);
    assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });

  it('loads the 10000 test images', () => {
    const test = loadMnist('test');
    assert.equal(test.n, 10000);
    assert.deepEqual(classCounts(test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.deepEqual(Array.from(test.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
    const s = stats(test.images);
    assert.ok(s.min >= 0 && s.max <= 1 && Math.abs(s.mean - 0.1325) < 1e-3, `mean ${s.mean}`);
  });

  it('a wrong root names the path; a corrupted file names the file and what is wrong', () => {
    assert.throws(() => loadMnist('test', { root: '/no/such/mnist' }), /loadMnist: root \/no\/such\/mnist does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
    try {
      const src = defaultMnistRoot();
      copyFileSync(join(src, 't10k-labels-idx1-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
      const images = readFileSync(join(src, 't10k-images-idx3-ubyte'));
      writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images.subarray(0, 1000));
      assert.throws(() => loadMnist('test', { root: dir }), (e: Error) => e.message === `IDX file ${join(dir, 't10k-images-idx3-ubyte')}: truncated: dims [10000, 28, 28] of ubyte need 7840000 bytes after the 16-byte header, found 984`);
      // labels where images belong: the magic number says so
      copyFileSync(join(src, 't10k-labels-idx1-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
      assert.throws(() => loadMnist('test', { root: dir }), /t10k-images-idx3-ubyte: wrong magic number: expected 0x00000803 \(ubyte, 3 dimensions\), found 0x00000801 \(ubyte, 1 dimension\)/);
      rmSync(join(dir, 't10k-images-idx3-ubyte'));
      assert.throws(() => loadMnist('test', { root: dir }), /t10k-images-idx3-ubyte: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => loadMnist('val' as 'test'), /split must be 'train' or 'test', got val/);
  });
});
