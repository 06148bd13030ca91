import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCifar } from '../../src/data/cifar.js';
import { CIFAR_PIXELS, CifarError, encodeCifar } from '../../src/data/cifar-format.js';

describe('data/cifar (files)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'shapegrad-cifar-'));
    for (let b = 1; b <= 5; b++) writeFileSync(join(root, `data_batch_${b}.bin`), encodeCifar('cifar10', new Uint8Array(2 * CIFAR_PIXELS).fill(b * 40), [b, b + 1]));
    writeFileSync(join(root, 'test_batch.bin'), encodeCifar('cifar10', new Uint8Array(CIFAR_PIXELS), [7]));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads data_batch_1..5 in order for train and test_batch for test', () => {
    const train = loadCifar('cifar10', 'train', root);
    assert.deepEqual(Array.from(train.labels), [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    assert.equal(train.images[9 * CIFAR_PIXELS], Math.fround(200 / 255));
    assert.deepEqual(Array.from(loadCifar('cifar10', 'test', root).labels), [7]);
  });

  it('a missing file or folder is named', () => {
    assert.throws(() => loadCifar('cifar100', 'train', root), (e: Error) => e instanceof CifarError && e.message.includes(join(root, 'train.bin')) && /no such file/.test(e.message));
    assert.throws(() => loadCifar('cifar10', 'train', join(root, 'nope')), /loadCifar: the cifar10 data root .*nope does not exist/);
  });
});
