import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quickTraining, runCli } from './run-cli.js';

const cli = (args: string[]) => runCli('eval', args);
const small = ['--knn-train', '100', '--knn-test', '50', '--backend', 'cpu', '--json'];

describe('cli/eval', function () {
  this.timeout(600000);
  let dir = '';
  let run = '';
  let weights = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shapegrad-eval-'));
    run = join(dir, 'run');
    weights = join(dir, 'backbone.safetensors');
    assert.equal(runCli('train', [...quickTraining, '--method', 'swav', '--max-steps', '3', '--out', run]).code, 0);
    assert.equal(runCli('export', ['--run', run, '--format', 'safetensors', '--dtype', 'F64', '--out', weights]).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('flag mistakes exit 2, weights that do not fit exit 1, each with one line', () => {
    for (const [args, code, pattern] of [
      [[], 2, /--run runs\/NAME or --weights FILE --model NAME is required/],
      [['--weights', weights], 2, /--weights needs --model \(xcit-tiny or resmlp-tiny or vit-tiny or regnety-tiny\)/],
      [['--weights', weights, '--model', 'vit-large'], 2, /--model must be one of xcit-tiny, resmlp-tiny, vit-tiny, regnety-tiny, got 'vit-large'/],
      [['--run', run, '--seed', '3'], 2, /--seed goes with --weights/],
      [['--weights', weights, '--model', 'xcit-tiny'], 1, /holds resmlp-tiny weights \(its metadata\), not xcit-tiny: give --model resmlp-tiny/],
      [['--weights', join(dir, 'nope.safetensors'), '--model', 'resmlp-tiny'], 1, /does not exist/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0]!, pattern);
    }
  });

  it('--weights of a run\'s export gives the numbers of --run for the trained backbone and the same baselines', () => {
    const byRun = cli(['--run', run, ...small]);
    const byWeights = cli(['--weights', weights, '--model', 'resmlp-tiny', ...small]);
    assert.equal(byRun.code, 0, byRun.err);
    assert.equal(byWeights.code, 0, byWeights.err);
    type Row = { name: string; [k: string]: unknown };
    const rows = (out: string) => (JSON.parse(out) as { rows: Row[] }).rows;
    const a = rows(byRun.out);
    const b = rows(byWeights.out);
    assert.equal(a.length, b.length);
    assert.match(b[b.length - 1]!.name, /^weights backbone\.safetensors \(resmlp-tiny\)$/);
    for (let i = 0; i < a.length; i++) assert.deepEqual({ ...b[i], name: '', seconds: 0 }, { ...a[i], name: '', seconds: 0 }, `row ${i}`);
  });
});
