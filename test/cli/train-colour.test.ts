/**
 * Colour images end to end through the command line: every method trains on a colour dataset
 * the test makes (colour-shapes, a CIFAR-10 folder of binary batches, an image folder of PNG and
 * JPEG files), records the image shape in its run, resumes, and is evaluated, exported and
 * featurised with a backbone of that shape; images a backbone cannot take are refused by name
 * before any run folder exists.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { runCli, tempDirEach } from './run-cli.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { encodeCifar, CIFAR_FILES } from '../../src/data/cifar-format.js';
import { writeImageFolder } from '../../src/data/image-folder.js';
import { readMetrics } from '../../src/train/metrics.js';
import { loadSafetensors } from '../../src/io/safetensors/tree.js';
import { key } from '../../src/runtime/prng.js';

const fast = ['--batch-size', '8', '--local-views', '2', '--knn-train', '64', '--knn-test', '32', '--minutes', '5'];
const bytes = (ds: Dataset) => Uint8Array.from(ds.images, (v) => Math.round(v * 255));
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { config: { image: unknown } };

/** A CIFAR-10 folder: five training batches of `perBatch` colour-shapes images and a test batch of 32. */
function cifarFolder(root: string, perBatch: number): void {
  mkdirSync(root, { recursive: true });
  CIFAR_FILES.cifar10.train.forEach((file, i) => {
    const ds = colourShapes('train', { n: perBatch, key: key(100 + i) });
    writeFileSync(join(root, file), encodeCifar('cifar10', bytes(ds), Array.from(ds.labels)));
  });
  const test = colourShapes('test', { n: 32 });
  writeFileSync(join(root, CIFAR_FILES.cifar10.test[0]!), encodeCifar('cifar10', bytes(test), Array.from(test.labels)));
}

/** An image folder (train/ and test/) of colour shapes of this side: PNGs, and one JPEG per class in train/. */
function imageFolder(root: string, side: number, n = 48): void {
  const names = ['circle', 'square', 'triangle', 'cross'];
  writeImageFolder(colourShapes('train', { n, size: side }), join(root, 'train'), names);
  writeImageFolder(colourShapes('test', { n: 24, size: side }), join(root, 'test'), names);
  const extra = colourShapes('train', { n: 4, size: side, key: key(77) });
  for (let i = 0; i < extra.n; i++) {
    const plane = side * side;
    const data = Buffer.alloc(4 * plane);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) data[4 * p + c] = Math.round(extra.images[(i * 3 + c) * plane + p]! * 255);
      data[4 * p + 3] = 255;
    }
    writeFileSync(join(root, 'train', names[extra.labels[i]!]!, `zz-${i}.jpg`), jpeg.encode({ data, width: side, height: side }, 95).data);
  }
}

describe('cli/train on colour images', function () {
  this.timeout(900000);
  const tempDir = tempDirEach('shapegrad-colour-');

  it('dino on colour-shapes: trains, records 3x32x32, resumes, and eval --run, features and export use a 3-channel backbone', () => {
    const out = join(tempDir(), 'dino');
    const first = runCli('train', ['--dataset', 'colour-shapes', '--method', 'dino', '--model', 'vit-tiny', ...fast, '--max-steps', '4', '--stop-after', '2', '--out', out]);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(runJson(out).config.image, { channels: 3, side: 32 });
    const resumed = runCli('train', ['--resume', '--out', out]);
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.err, /resuming from step 2 of 4/);
    assert.deepEqual(readMetrics(join(out, 'metrics.jsonl')).map((m) => m.step), [1, 2, 3, 4]);
    assert.match(resumed.out, /colour-shapes k-NN top-1/);
    const table = resumed.out.slice(resumed.out.indexOf('colour-shapes k-NN top-1')).trim();
    const again = runCli('eval', ['--run', out, '--knn-train', '64', '--knn-test', '32']);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out.trim(), table, 'eval --run rebuilds the same 3-channel backbone and table');
    assert.ok(existsSync(join(out, 'plots', 'attention.png')), 'the attention plot of the colour run');
    const feats = join(out, 'f.safetensors');
    const f = runCli('features', ['--run', out, '--split', 'test', '--limit', '10', '--out', feats]);
    assert.equal(f.code, 0, f.err);
    assert.deepEqual(loadSafetensors(new Uint8Array(readFileSync(feats))).tensors['features']!.sizes, [10, 32]);
    const onnx = runCli('export', ['--run', out, '--format', 'onnx', '--out', join(out, 'b.onnx')]);
    assert.equal(onnx.code, 0, onnx.err);
    assert.match(onnx.out, /images \[1, 3, 32, 32\] -> features/);
    const weights = join(out, 'b.safetensors');
    assert.equal(runCli('export', ['--run', out, '--format', 'safetensors', '--out', weights]).code, 0);
    const w = runCli('eval', ['--weights', weights, '--model', 'vit-tiny', '--dataset', 'colour-shapes', '--knn-train', '64', '--knn-test', '32']);
    assert.equal(w.code, 0, w.err);
    const row = (text: string) => text.split('\n').find((l) => /^(DINO|weights)/.test(l))!.replace(/^.*\)\s+/, '');
    assert.equal(row(w.out), row(table), 'the exported weights evaluate as the run did');
  });

  for (const [method, extra] of [
    ['swav', []],
    ['seer', []],
  ] as const) {
    it(`${method} on a CIFAR-10 folder of binary batches (3x32x32)`, () => {
      const root = join(tempDir(), 'cifar');
      cifarFolder(root, 16);
      const out = join(tempDir(), method);
      const r = runCli('train', ['--dataset', 'cifar10', '--data-root', root, '--method', method, ...fast, ...extra, '--max-steps', '2', '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /cifar10: 80 training and 32 test images/);
      assert.deepEqual(runJson(out).config.image, { channels: 3, side: 32 });
      assert.equal(readMetrics(join(out, 'metrics.jsonl')).length, 2);
      assert.ok(readMetrics(join(out, 'metrics.jsonl')).every((m) => Number.isFinite(m.loss)));
    });
  }

  for (const [method, extra] of [
    ['paws', ['--labels-per-class', '2']],
    ['deepcluster', ['--out-dim', '4', '--cluster-images', '32']],
    ['deepercluster', ['--cluster-images', '48']],
  ] as const) {
    it(`${method} on an image folder of PNG and JPEG files (3x24x24), evaluated again by eval --run`, () => {
      const root = join(tempDir(), 'folder');
      imageFolder(root, 24);
      const out = join(tempDir(), method);
      const r = runCli('train', ['--dataset', 'image-folder', '--data-root', root, '--method', method, ...fast, ...extra, '--max-steps', '2', '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /image-folder: 52 training and 24 test images/);
      assert.deepEqual(runJson(out).config.image, { channels: 3, side: 24 });
      const again = runCli('eval', ['--run', out, '--data-root', root, '--knn-train', '64', '--knn-test', '32']);
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /image-folder k-NN top-1/);
    });
  }

  it('images a backbone cannot take: an error naming what the dataset has and what is taken, and no run folder', () => {
    const odd = join(tempDir(), 'odd');
    imageFolder(odd, 30, 8);
    const out = join(tempDir(), 'run');
    const r = runCli('train', ['--dataset', 'image-folder', '--data-root', odd, '--model', 'vit-tiny', ...fast, '--max-steps', '1', '--out', out]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^shapegrad train: image-folder \(train\) has 3x30x30 images; vit-tiny takes 1 \(grayscale\) or 3 \(RGB\) channels and square images whose side is a multiple of 4 \(its patch size\)\n$/);
    assert.equal(existsSync(out), false);
    const wide = join(tempDir(), 'wide');
    const ds = makeDataset({ name: 'wide', split: 'train', n: 4, channels: 3, height: 24, width: 28, numClasses: 2, images: new Float32Array(4 * 3 * 24 * 28).fill(0.5), labels: Uint8Array.from([0, 1, 0, 1]) });
    writeImageFolder(ds, join(wide, 'train'));
    writeImageFolder(ds, join(wide, 'test'));
    const w = runCli('train', ['--dataset', 'image-folder', '--data-root', wide, ...fast, '--max-steps', '1', '--out', out]);
    assert.equal(w.code, 1, w.err);
    assert.match(w.err, /image-folder \(train\) has 3x24x28 images; the backbones take square images with 1 \(grayscale\) or 3 \(RGB\) channels/);
    assert.equal(existsSync(out), false);
  });
});
