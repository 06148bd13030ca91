import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickTraining, runCli, tempDirEach } from './run-cli.js';
import { readMetrics } from '../../src/train/metrics.js';

const cli = runCli;
const quick = [...quickTraining];

describe('cli/train --method swav|paws|deepcluster|deepercluster, cli/eval', function () {
  this.timeout(600000);
  const tempDir = tempDirEach('shapegrad-methods-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  for (const [method, label, extra] of [
    ['swav', 'SwAV', ['--out-dim', '8']],
    ['paws', 'PAWS', ['--labels-per-class', '2']],
    ['deepcluster', 'DeepCluster', ['--out-dim', '4', '--cluster-images', '64']],
    ['deepercluster', 'DeeperCluster', ['--out-dim', '8', '--cluster-images', '64']],
    ['seer', 'SEER', ['--out-dim', '8']],
    // a queue of one batch, kept from the start: filled by step 1, read from step 2 (after the resume)
    ['swav', 'SwAV', ['--out-dim', '8', '--queue-length', '8', '--optimizer', 'lars']],
  ] as const) {
    it(`${method} ${extra.join(' ')}: trains 3 steps, writes checkpoint, metrics, results and plot; resuming mid-way gives the same metrics; eval --run re-evaluates it`, () => {
      const whole = join(dir, 'whole');
      const parts = join(dir, 'parts');
      const args = ['--method', method, ...quick, ...extra, '--max-steps', '3'];
      const r = cli('train', [...args, '--out', whole]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`${label} \\(resmlp-tiny, 3 steps\\)`));
      if (method === 'paws') assert.match(r.out, /PAWS-NN .* against the 20 labelled images/);
      for (const f of ['run.json', 'checkpoint.json', 'metrics.jsonl', 'results.txt', 'results.json', 'plots/loss.svg']) assert.ok(existsSync(join(whole, f)), f);
      assert.equal(readMetrics(join(whole, 'metrics.jsonl')).length, 3);

      assert.equal(cli('train', [...args, '--stop-after', '2', '--out', parts]).code, 0);
      const resumed = cli('train', [...args, '--out', parts, '--resume']);
      assert.equal(resumed.code, 0, resumed.err);
      assert.match(resumed.err, /resuming from step 2/);
      const losses = (d: string) => readMetrics(join(d, 'metrics.jsonl')).map((m) => m['loss']);
      assert.deepEqual(losses(parts), losses(whole));

      const ev = cli('eval', ['--run', whole, '--backend', 'cpu', '--knn-train', '100', '--knn-test', '50', '--json']);
      assert.equal(ev.code, 0, ev.err);
      const json = JSON.parse(ev.out) as { steps: number; rows: { name: string; knnTop1: number }[] };
      assert.equal(json.steps, 3);
      assert.deepEqual(json.rows.map((row) => row.name), ['raw pixels', 'random initialisation', `${label} (resmlp-tiny, 3 steps)`]);
      const trained = JSON.parse(readFileSync(join(whole, 'results.json'), 'utf8')) as { rows: { knnTop1: number }[] };
      assert.equal(json.rows[2]!.knnTop1, trained.rows[2]!.knnTop1, 'the same checkpoint gives the same k-NN accuracy');
    });
  }

  it('eval: a missing run folder, a folder without a checkpoint, a corrupt checkpoint and a missing --run each give one error line', () => {
    const run = join(dir, 'run');
    assert.equal(cli('train', ['--method', 'swav', ...quick, '--max-steps', '1', '--stop-after', '1', '--out', run]).code, 0);
    const ckpt = join(run, 'checkpoint.json');
    const text = readFileSync(ckpt, 'utf8');
    for (const [args, code, pattern, before] of [
      [['--run', join(dir, 'missing')], 1, /run folder .* does not exist/, () => {}],
      [[], 2, /--run runs\/NAME or --weights FILE --model NAME is required/, () => {}],
      [['--run', run], 1, /checkpoint .*checkpoint\.json: no such file/, () => rmSync(ckpt)],
      [['--run', run], 1, /checkpoint .*not valid JSON/, () => writeFileSync(ckpt, text.slice(0, 100))],
    ] as const) {
      before();
      const r = cli('eval', [...args, '--backend', 'cpu']);
      assert.equal(r.code, code, r.err);
      const lines = r.err.trim().split('\n').filter((l) => l.startsWith('shapegrad eval:'));
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0]!, pattern);
    }
  });

  it('refuses flags of other methods with one line', () => {
    for (const [args, pattern] of [
      [['--method', 'deepcluster', '--labels-per-class', '5'], /--labels-per-class applies to --method paws, not deepcluster/],
      [['--method', 'swav', '--teacher-temp', '0.04'], /--teacher-temp applies to --method dino, not swav/],
      [['--method', 'dino', '--labels-per-class', '5'], /--labels-per-class applies to --method paws, not dino/],
      [['--method', 'paws', '--queue-length', '64'], /--queue-length applies to --method swav or seer, not paws/],
      [['--method', 'seer', '--optimizer', 'adam'], /--optimizer must be one of lars, adamw, sgd for --method seer, got 'adam'/],
      [['--method', 'swav', '--queue-length', '1.5'], /--queue-length must be an integer from 0 to 1000000, got '1.5'/],
    ] as const) {
      const r = cli('train', [...args]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, pattern);
    }
  });
});
