import { strict as assert } from 'node:assert';
import { CIFAR_PIXELS, CifarError, cifarFromBytes, cifarRecordSize, encodeCifar } from '../../src/data/cifar-format.js';

/** Record r's pixel p is (7r + 3p) mod 256: every plane and record differs. */
const pixels = (n: number) => Uint8Array.from({ length: n * CIFAR_PIXELS }, (_, i) => (7 * Math.floor(i / CIFAR_PIXELS) + 3 * (i % CIFAR_PIXELS)) % 256);

describe('data/cifar-format', () => {
  it('CIFAR-10: 1 label byte then the red, green and blue planes become [C, H, W] images in [0, 1]', () => {
    const a = encodeCifar('cifar10', pixels(2), [3, 9]);
    const b = encodeCifar('cifar10', pixels(1), [0]);
    assert.equal(a.length, 2 * 3073);
    const ds = cifarFromBytes('cifar10', 'train', [{ name: 'data_batch_1.bin', bytes: a }, { name: 'data_batch_2.bin', bytes: b }]);
    assert.deepEqual([ds.n, ds.channels, ds.height, ds.width, ds.numClasses, ds.name], [3, 3, 32, 32, 10, 'cifar10']);
    assert.deepEqual(Array.from(ds.labels), [3, 9, 0]);
    // image 1, green plane (c = 1), row 2, column 5: byte 1 + 1024 + 2·32 + 5 of record 1
    const p = 1024 + 2 * 32 + 5;
    assert.equal(a[3073 + 1 + p], (7 + 3 * p) % 256);
    assert.equal(ds.images[CIFAR_PIXELS + p], Math.fround(((7 + 3 * p) % 256) / 255));
    // the third image comes from the second file
    assert.equal(ds.images[2 * CIFAR_PIXELS + 10], Math.fround(30 / 255));
  });

  it('CIFAR-100: coarse then fine label; fine by default, coarse on request', () => {
    const bytes = encodeCifar('cifar100', pixels(2), [[19, 99], [4, 0]]);
    assert.equal(cifarRecordSize('cifar100'), 3074);
    const fine = cifarFromBytes('cifar100', 'test', [{ name: 'test.bin', bytes }]);
    assert.deepEqual([Array.from(fine.labels), fine.numClasses], [[99, 0], 100]);
    const coarse = cifarFromBytes('cifar100', 'test', [{ name: 'test.bin', bytes }], { labels: 'coarse' });
    assert.deepEqual([Array.from(coarse.labels), coarse.numClasses, coarse.name], [[19, 4], 20, 'cifar100-coarse']);
    assert.equal(fine.images[CIFAR_PIXELS + 1], Math.fround(10 / 255));
  });

  it('bad files name the file and what is wrong', () => {
    const good = encodeCifar('cifar10', pixels(2), [1, 2]);
    const fails = (kind: 'cifar10' | 'cifar100', bytes: Uint8Array, message: string) =>
      assert.throws(() => cifarFromBytes(kind, 'train', [{ name: 'f.bin', bytes }]), (e: Error) => e instanceof CifarError && e.message === message);
    fails('cifar10', good.subarray(0, 3073 + 100), 'CIFAR file f.bin: truncated or wrong format: 3173 bytes is 1 records of 3073 bytes (cifar10) and 100 bytes more');
    fails('cifar10', new Uint8Array(0), 'CIFAR file f.bin: empty: a cifar10 file holds records of 3073 bytes');
    // a CIFAR-100 file read as CIFAR-10 (record size 3074 vs 3073)
    fails('cifar10', encodeCifar('cifar100', pixels(1), [[1, 2]]), 'CIFAR file f.bin: truncated or wrong format: 3074 bytes is 1 records of 3073 bytes (cifar10) and 1 bytes more');
    const bad = Uint8Array.from(good);
    bad[3073] = 10;
    fails('cifar10', bad, 'CIFAR file f.bin: record 1 (byte 3073): label 10 is not in [0, 10)');
    fails('cifar100', encodeCifar('cifar100', pixels(1), [[20, 5]]), 'CIFAR file f.bin: record 0 (byte 0): coarse label 20 is not in [0, 20)');
    fails('cifar100', encodeCifar('cifar100', pixels(1), [[2, 100]]), 'CIFAR file f.bin: record 0 (byte 1): fine label 100 is not in [0, 100)');
    assert.throws(() => cifarFromBytes('cifar10', 'train', []), /no files given/);
    assert.throws(() => cifarFromBytes('cifar10' as never, 'val' as never, [{ name: 'f', bytes: good }]), /split must be 'train' or 'test', got val/);
  });
});
