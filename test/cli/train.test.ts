import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { quickTraining, runCli, tempDirEach } from './run-cli.js';
import { readMetrics } from '../../src/train/metrics.js';

const cli = (args: string[]) => runCli('train', args);
const quick = [...quickTraining];

describe('cli/train', function () {
  this.timeout(600000);
  const tempDir = tempDirEach('shapegrad-train-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('an invalid flag, a wrong dataset path and a bad value each give one error line and exit 2 or 1', () => {
    for (const [args, code, pattern] of [
      [['--bogus'], 2, /unknown flag --bogus/],
      [['--model', 'vit'], 2, /--model must be one of xcit-tiny, resmlp-tiny, got 'vit'/],
      [['--batch-size=-3'], 2, /--batch-size must be an integer from 1 to 1000000, got '-3'/],
      [['--batch-size', '-3'], 2, /--batch-size needs a value \(write --batch-size=-\.\.\./],
      [['--data-root', join(dir, 'missing'), '--out', join(dir, 'run')], 1, /does not exist/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, code, r.err);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0]!, pattern);
    }
    assert.equal(existsSync(join(dir, 'run')), false, 'a failed start leaves no run folder');
  });

  it('resuming from a checkpoint gives the same metrics as an uninterrupted run; a corrupted checkpoint is one error line and is left as it was', () => {
    const whole = join(dir, 'whole');
    const parts = join(dir, 'parts');
    assert.equal(cli([...quick, '--max-steps', '4', '--out', whole]).code, 0);
    assert.equal(cli([...quick, '--max-steps', '4', '--stop-after', '2', '--out', parts]).code, 0); // as if killed after step 2
    const r = cli([...quick, '--max-steps', '4', '--out', parts, '--resume']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /resuming from step 2/);
    const a = readMetrics(join(whole, 'metrics.jsonl')).map((m) => m['loss']);
    const b = readMetrics(join(parts, 'metrics.jsonl')).map((m) => m['loss']);
    assert.equal(a.length, 4);
    assert.deepEqual(b, a);
    const knn = (d: string) => readMetrics(join(d, 'knn.jsonl')).map((m) => [m['step'], m['knnTop1']]);
    assert.deepEqual(knn(whole).map(([step]) => step), [0, 4], 'k-NN at the start and the end');
    assert.deepEqual(knn(parts), [...knn(whole).slice(0, 1), [2, knn(parts)[1]![1]], ...knn(whole).slice(1)], 'the resumed run measured at its stop too');
    for (const plot of ['loss', 'knn']) assert.ok(existsSync(join(whole, 'plots', `${plot}.svg`)), plot);

    const ckpt = join(parts, 'checkpoint.json');
    const text = readFileSync(ckpt, 'utf8');
    writeFileSync(ckpt, text.slice(0, Math.floor(text.length / 2)));
    const broken = readFileSync(ckpt);
    const bad = cli([...quick, '--max-steps', '4', '--out', parts, '--resume']);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trim().split('\n').filter((l) => l.startsWith('shapegrad train:')).length, 1);
    assert.match(bad.err, /checkpoint/);
    assert.deepEqual(readFileSync(ckpt), broken, 'the checkpoint file is not touched');
  });

  it('refuses to reuse a run folder without --resume', () => {
    const out = join(dir, 'run');
    assert.equal(cli([...quick, '--max-steps', '1', '--out', out]).code, 0);
    const again = cli([...quick, '--max-steps', '1', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.err, /--resume/);
  });
});
