import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quickTraining, runCli } from './run-cli.js';
import { loadSafetensors } from '../../src/io/safetensors/tree.js';
import { readRunBackbone } from '../../src/train/run-backbone.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { backbone } from '../../src/train/models.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { fromArray } from '../../src/ops/sources.js';
import { treeConstants } from '../../src/io/tree-values.js';
import { loadMnist } from '../../src/data/mnist.js';

type Ort = typeof import('onnxruntime-node');
const ort = (() => {
  try {
    return createRequire(import.meta.url)('onnxruntime-node') as Ort;
  } catch {
    return undefined;
  }
})();

const cli = (args: string[]) => runCli('export', args);

describe('cli/export', function () {
  this.timeout(600000);
  let dir = '';
  let run = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shapegrad-export-'));
    run = join(dir, 'run');
    const r = runCli('train', [...quickTraining, '--max-steps', '2', '--out', run]);
    assert.equal(r.code, 0, r.err);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('flag mistakes exit 2 and a missing run exits 1, each with one line', () => {
    for (const [args, code, pattern] of [
      [[], 2, /--run runs\/NAME is required/],
      [['--run', run], 2, /--format safetensors\|onnx is required/],
      [['--run', run, '--format', 'pt'], 2, /--format must be one of safetensors, onnx, got 'pt'/],
      [['--run', run, '--format', 'onnx', '--out', join(dir, 'x.safetensors')], 2, /--out .*x\.safetensors must end with \.onnx \(the file is onnx\)/],
      [['--run', run, '--format', 'safetensors', '--out', dir], 2, /is a folder; give a file path/],
      [['--run', run, '--format', 'safetensors', '--out', join(dir, 'no', 'x.safetensors')], 2, /folder .* does not exist/],
      [['--run', run, '--format', 'safetensors', '--out', join(run, 'checkpoint.json')], 2, /must end with \.safetensors/],
      [['--run', run, '--format', 'safetensors', '--batch-size', '2'], 2, /--batch-size applies to --format onnx/],
      [['--run', run, '--format', 'onnx', '--dtype', 'F64'], 2, /--dtype applies to --format safetensors/],
      [['--run', run, '--format', 'safetensors', '--dtype', 'F16'], 2, /--dtype must be one of F32, F64/],
      [['--run', join(dir, 'absent'), '--format', 'onnx'], 1, /run folder .*absent does not exist/],
      [['--run', dir, '--format', 'onnx'], 1, /is not a shapegrad run folder/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0]!, pattern);
    }
    assert.match(cli(['-h']).out, /usage: shapegrad export --run/);
  });

  it('safetensors: the evaluated backbone (the DINO teacher) with the official names, F32 by default and F64 exactly', () => {
    const r = cli(['--run', run, '--format', 'safetensors']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote .*backbone\.safetensors \(\d+ bytes, F32; dino \/ resmlp-tiny \/ mnist, step 2, teacher\.backbone\)/);
    const want = flattenToTensors(readRunBackbone(run).params);
    const f32 = loadSafetensors(readFileSync(join(run, 'backbone.safetensors')));
    assert.deepEqual(Object.keys(f32.tensors).sort(), Object.keys(want).sort());
    assert.deepEqual(f32.metadata, { format: 'pt', model: 'resmlp-tiny', method: 'dino', dataset: 'mnist', step: '2', source: 'teacher.backbone' });
    for (const [name, x] of Object.entries(want)) {
      assert.deepEqual(f32.tensors[name]!.sizes, x.sizes);
      assert.deepEqual(f32.tensors[name]!.data, Float64Array.from(Float32Array.from(x.data)), name);
    }
    const out64 = join(dir, 'b64.safetensors');
    assert.equal(cli(['--run', run, '--format', 'safetensors', '--dtype', 'F64', '--out', out64]).code, 0);
    const f64 = loadSafetensors(readFileSync(out64));
    for (const [name, x] of Object.entries(want)) assert.deepEqual(f64.tensors[name]!.data, x.data, name);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.tmp-')), [], 'no temporary file left');
  });

  it('onnx: the features program runs in onnxruntime and matches the float64 reference within 1e-4 relative', async function () {
    if (ort === undefined) this.skip();
    const r = cli(['--run', run, '--format', 'onnx', '--batch-size', '3']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ONNX opset 17, images \[3, 28, 28\] -> features/);
    const session = await ort.InferenceSession.create(readFileSync(join(run, 'backbone.onnx')));
    assert.deepEqual([session.inputNames, session.outputNames], [['images'], ['features']]);
    const images = loadMnist('test').images.subarray(0, 3 * 784);
    const got = (await session.run({ images: new ort.Tensor('float32', Float32Array.from(images), [3, 28, 28]) }))['features']!.data as Float32Array;
    const net = backbone('resmlp-tiny');
    const want = evaluate(net.features(treeConstants(readRunBackbone(run).params), fromArray(Float64Array.from(images), ['B', 'H', 'W'], [3, 28, 28]))).data;
    assert.equal(got.length, want.length);
    let d = 0;
    let m = 0;
    want.forEach((w, i) => {
      d = Math.max(d, Math.abs(got[i]! - w));
      m = Math.max(m, Math.abs(w));
    });
    assert.ok(d / m < 1e-4, `relative difference ${d / m}`);
  });
});
