import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ImageFileError, loadImageFolder, writeImageFolder } from '../../src/data/image-folder.js';
import { colourShapes, COLOUR_SHAPES_CLASSES } from '../../src/data/colour-shapes.js';
import { makeDataset } from '../../src/data/dataset.js';

describe('data/image-folder', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'shapegrad-imgfolder-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips a colour dataset through PNGs (values to 8 bits), classes sorted by name', () => {
    const ds = colourShapes('train', { n: 24, size: 12 });
    writeImageFolder(ds, root, COLOUR_SHAPES_CLASSES);
    const { dataset, classes } = loadImageFolder(root);
    assert.deepEqual(classes, [...COLOUR_SHAPES_CLASSES].sort());
    assert.deepEqual([dataset.n, dataset.channels, dataset.height, dataset.width, dataset.numClasses], [24, 3, 12, 12, 4]);
    // the loader orders images by class name then file name: map back to the originals
    const plane = 3 * 144;
    const byName = COLOUR_SHAPES_CLASSES.map((c) => classes.indexOf(c));
    const order = Array.from({ length: 24 }, (_, i) => i).sort((a, b) => byName[ds.labels[a]!]! - byName[ds.labels[b]!]! || a - b);
    order.forEach((orig, k) => {
      assert.equal(dataset.labels[k], byName[ds.labels[orig]!]);
      for (let p = 0; p < plane; p++) assert.ok(Math.abs(dataset.images[k * plane + p]! - ds.images[orig * plane + p]!) <= 0.5 / 255 + 1e-6);
    });
  });

  it('grayscale PNGs repeat on three channels; alpha is dropped; JPEGs decode', () => {
    const gray = makeDataset({ name: 'g', split: 'train', n: 2, height: 3, width: 2, numClasses: 2, images: Float32Array.from({ length: 12 }, (_, i) => i / 11), labels: Uint8Array.from([0, 1]) });
    writeImageFolder(gray, root);
    // overwrite class_01's image with an RGBA PNG whose alpha is 0
    const png = new PNG({ width: 2, height: 3 });
    png.data.fill(0);
    for (let p = 0; p < 6; p++) png.data.set([10, 20, 30, 0], 4 * p);
    writeFileSync(join(root, 'class_01', '1.png'), PNG.sync.write(png));
    const { dataset } = loadImageFolder(root);
    assert.deepEqual(Array.from(dataset.images.subarray(0, 18), (v) => Math.round(v * 255)), [0, 23, 46, 70, 93, 116, 0, 23, 46, 70, 93, 116, 0, 23, 46, 70, 93, 116]);
    assert.deepEqual(Array.from(dataset.images.subarray(18, 36), (v) => Math.round(v * 255)), [...Array(6).fill(10), ...Array(6).fill(20), ...Array(6).fill(30)]);
    const rgba = new Uint8Array(2 * 3 * 4).fill(255);
    mkdirSync(join(root, 'class_02'));
    writeFileSync(join(root, 'class_02', 'a.JPG'), jpeg.encode({ width: 2, height: 3, data: rgba }, 95).data);
    const three = loadImageFolder(root).dataset;
    assert.equal(three.numClasses, 3);
    assert.ok(three.images.subarray(36).every((v) => v > 0.97));
  });

  it('bad folders and files get errors naming them', () => {
    const ds = colourShapes('train', { n: 20, size: 10 });
    writeImageFolder(ds, root);
    mkdirSync(join(root, 'zz_empty'));
    writeFileSync(join(root, 'zz_empty', 'notes.txt'), 'x');
    assert.throws(() => loadImageFolder(root), (e: Error) => e.message === `loadImageFolder: class folder ${join(root, 'zz_empty')} has no .png, .jpg or .jpeg images`);
    rmSync(join(root, 'zz_empty'), { recursive: true });
    const file = join(root, 'class_00', readdirSync(join(root, 'class_00')).sort()[0]!);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 30));
    assert.throws(() => loadImageFolder(root), (e: Error) => e instanceof ImageFileError && e.message.startsWith(`image file ${file}: cannot be decoded (truncated or corrupt)`));
    writeFileSync(file, 'hello');
    assert.throws(() => loadImageFolder(root), (e: Error) => e instanceof ImageFileError && e.message === `image file ${file}: not a PNG (its first bytes are not the PNG signature)`);
    writeImageFolder(makeDataset({ name: 'c', split: 'test', n: 1, channels: 3, height: 11, width: 11, numClasses: 1, images: new Float32Array(363), labels: new Uint8Array(1) }), join(root, 'tmp'));
    rmSync(file);
    writeFileSync(file, readFileSync(join(root, 'tmp', 'class_00', '0.png')));
    rmSync(join(root, 'tmp'), { recursive: true });
    assert.throws(() => loadImageFolder(root), (e: Error) => e instanceof ImageFileError && /is 10x10 \(width x height\) but .*00.png is 11x11: all images must have one size/.test(e.message));
    assert.throws(() => loadImageFolder(join(root, 'class_00')), /has no class subfolders/);
    assert.throws(() => loadImageFolder(root, { classes: ['a'] }), /has classes \[class_00, .*\], expected \[a\]/);
  });
});
