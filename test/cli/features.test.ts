import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quickTraining, runCli } from './run-cli.js';
import { loadSafetensors } from '../../src/io/safetensors/tree.js';
import { loadMnist } from '../../src/data/mnist.js';

const cli = (args: string[]) => runCli('features', args);

describe('cli/features', function () {
  this.timeout(600000);
  let dir = '';
  let run = '';
  let weights = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shapegrad-features-'));
    run = join(dir, 'run');
    weights = join(dir, 'backbone.safetensors');
    assert.equal(runCli('train', [...quickTraining, '--max-steps', '2', '--out', run]).code, 0);
    assert.equal(runCli('export', ['--run', run, '--format', 'safetensors', '--dtype', 'F64', '--out', weights]).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('flag mistakes exit 2, files that are absent or do not fit exit 1, each with one line', () => {
    const out = join(dir, 'f.safetensors');
    for (const [args, code, pattern] of [
      [['--split', 'test', '--out', out], 2, /--run runs\/NAME or --weights FILE --model NAME is required/],
      [['--run', run, '--weights', weights, '--split', 'test', '--out', out], 2, /give --run or --weights, not both/],
      [['--weights', weights, '--split', 'test', '--out', out], 2, /--weights needs --model/],
      [['--weights', weights, '--model', 'resmlp-tiny', '--split', 'test', '--out', out], 2, /--weights needs --dataset/],
      [['--run', run, '--model', 'resmlp-tiny', '--split', 'test', '--out', out], 2, /--model goes with --weights/],
      [['--run', run, '--out', out], 2, /--split train\|test is required/],
      [['--run', run, '--split', 'val', '--out', out], 2, /--split must be one of train, test, got 'val'/],
      [['--run', run, '--split', 'test'], 2, /--out FILE\.safetensors is required/],
      [['--run', run, '--split', 'test', '--out', join(dir, 'f.onnx')], 2, /must end with \.safetensors \(the file is safetensors\)/],
      [['--run', run, '--split', 'test', '--limit', '0', '--out', out], 2, /--limit must be an integer from 1 to 1000000, got '0'/],
      [['--weights', join(dir, 'absent.safetensors'), '--model', 'resmlp-tiny', '--dataset', 'mnist', '--split', 'test', '--out', out], 1, /weights file .*absent\.safetensors does not exist/],
      [['--weights', weights, '--model', 'xcit-tiny', '--dataset', 'mnist', '--split', 'test', '--out', out], 1, /holds resmlp-tiny weights \(its metadata\), not xcit-tiny/],
      [['--weights', join(run, 'run.json'), '--model', 'resmlp-tiny', '--dataset', 'mnist', '--split', 'test', '--out', out], 1, /run\.json: /],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0]!, pattern);
    }
    assert.equal(existsSync(out), false);
    assert.match(cli(['--help']).out, /usage: shapegrad features/);
  });

  it('--run and --weights of its export give the same features of the first N images, with their labels', () => {
    const a = join(dir, 'a.safetensors');
    const b = join(dir, 'b.safetensors');
    const r = cli(['--run', run, '--split', 'test', '--limit', '30', '--backend', 'cpu', '--out', a]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /features \[30, 32\], labels \[30\]/);
    assert.equal(cli(['--weights', weights, '--model', 'resmlp-tiny', '--dataset', 'mnist', '--split', 'test', '--limit', '30', '--backend', 'cpu', '--out', b]).code, 0);
    const fa = loadSafetensors(readFileSync(a));
    const fb = loadSafetensors(readFileSync(b));
    assert.deepEqual(fa.tensors['features']!.sizes, [30, 32]);
    assert.deepEqual(fa.tensors['features']!.data, fb.tensors['features']!.data);
    assert.deepEqual(Array.from(fa.tensors['labels']!.data), Array.from(loadMnist('test').labels.subarray(0, 30)));
    assert.equal(fa.metadata['split'], 'test');
    assert.equal(fa.metadata['images'], '30');
    assert.equal(fa.metadata['model'], 'resmlp-tiny');
    const init = runCli('train', ['--model', 'resmlp-tiny', '--init-from', a, '--out', join(dir, 'never')]);
    assert.equal(init.code, 1);
    assert.match(init.err, /a\.safetensors: the file holds features \(shapegrad features\), not backbone weights/);
    const norms = Array.from({ length: 30 }, (_, i) => Math.hypot(...fa.tensors['features']!.data.subarray(32 * i, 32 * i + 32)));
    assert.ok(norms.every((n) => n > 0 && Number.isFinite(n)));
  });
});
