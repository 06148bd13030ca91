import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNamedDataset } from '../../src/data/resolve.js';
import { DATASET_NAMES, isDatasetName } from '../../src/data/dataset-names.js';
import { CIFAR_PIXELS, encodeCifar } from '../../src/data/cifar-format.js';
import { writeImageFolder } from '../../src/data/image-folder.js';
import { colourShapes } from '../../src/data/colour-shapes.js';

describe('data/resolve', () => {
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'shapegrad-resolve-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('knows the names, and says which it knows', () => {
    assert.deepEqual([...DATASET_NAMES], ['mnist', 'fashion-mnist', 'cifar10', 'cifar100', 'image-folder', 'colour-shapes']);
    assert.ok(isDatasetName('cifar10') && !isDatasetName('imagenet'));
    assert.throws(() => loadNamedDataset('imagenet' as never, 'train'), /unknown dataset 'imagenet' \(known: mnist, fashion-mnist, cifar10, cifar100, image-folder, colour-shapes\)/);
  });

  it('cifar and image-folder need --data-root; colour-shapes takes none', () => {
    for (const name of ['cifar10', 'cifar100', 'image-folder'] as const) assert.throws(() => loadNamedDataset(name, 'train'), new RegExp(`${name} needs a data root \\(--data-root FOLDER\\)`));
    assert.throws(() => loadNamedDataset('colour-shapes', 'train', root), /takes no data root/);
    const cs = loadNamedDataset('colour-shapes', 'test');
    assert.deepEqual([cs.name, cs.channels, cs.height], ['colour-shapes', 3, 32]);
  });

  it('cifar100 reads train.bin with fine labels', () => {
    const dir = join(root, 'c100');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.bin'), encodeCifar('cifar100', new Uint8Array(CIFAR_PIXELS), [[3, 42]]));
    assert.deepEqual(Array.from(loadNamedDataset('cifar100', 'train', dir).labels), [42]);
  });

  it('image-folder reads root/train and root/test; the test split must have the training classes', () => {
    const dir = join(root, 'folder');
    writeImageFolder(colourShapes('train', { n: 12, size: 8 }), join(dir, 'train'));
    writeImageFolder(colourShapes('test', { n: 12, size: 8 }), join(dir, 'test'));
    const train = loadNamedDataset('image-folder', 'train', dir);
    const test = loadNamedDataset('image-folder', 'test', dir);
    assert.deepEqual([train.n, test.n, train.split, test.split, test.channels], [12, 12, 'train', 'test', 3]);
    mkdirSync(join(dir, 'test', 'zz_extra'));
    writeFileSync(join(dir, 'test', 'zz_extra', 'a.png'), new Uint8Array(0));
    assert.throws(() => loadNamedDataset('image-folder', 'test', dir), /has classes \[class_00, class_01, class_02, class_03, zz_extra\], expected \[class_00, class_01, class_02, class_03\]/);
  });
});
