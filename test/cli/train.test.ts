import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { quickTraining, runCli, tempDirEach } from './run-cli.js';
import { readMetrics } from '../../src/train/metrics.js';
import { readRunBackbone } from '../../src/train/run-backbone.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { loadSafetensors } from '../../src/io/safetensors/tree.js';

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
      [['--model', 'vit'], 2, /--model must be one of xcit-tiny, resmlp-tiny, vit-tiny, regnety-tiny, got 'vit'/],
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

  it('--init-from starts from a backbone trained elsewhere (DINO: student and teacher); a file that does not fit is one line and leaves no run folder', () => {
    const official = 'test/fixtures/interop/official-resmlp-tiny.safetensors';
    const out = join(dir, 'run');
    for (const [args, code, pattern] of [
      [['--init-from', official, '--resume', '--out', out], 2, /--init-from starts a new run; --resume continues one/],
      [['--init-from', '', '--out', out], 2, /--init-from needs a safetensors file/],
      [['--init-from', join(dir, 'absent.safetensors'), '--out', out], 1, /weights file .*absent\.safetensors does not exist/],
      [['--model', 'xcit-tiny', '--init-from', official, '--out', out], 1, /holds resmlp-tiny weights \(its metadata\), not xcit-tiny: give --model resmlp-tiny/],
    ] as const) {
      const r = cli([...quick.filter((a) => a !== 'resmlp-tiny' && a !== '--model'), ...(args.includes('--model') ? [] : ['--model', 'resmlp-tiny']), ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, pattern);
    }
    assert.equal(existsSync(out), false, 'a failed start leaves no run folder');
    const r = cli([...quick, '--max-steps', '1', '--init-from', official, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /starting from the backbone in .*official-resmlp-tiny\.safetensors/);
    assert.equal((JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { config: Record<string, unknown> }).config['initFrom'], official, 'run.json records where the run started');
    // One step later the teacher (an EMA with momentum 0.996 of a student one warm-up step away) is still the file's weights.
    const file = loadSafetensors(readFileSync(official)).tensors;
    const teacher = flattenToTensors(readRunBackbone(out).params);
    let worst = 0;
    for (const [name, x] of Object.entries(teacher)) x.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - file[name]!.data[i]!))));
    assert.ok(worst < 1e-4, `teacher vs the file: ${worst}`);
  });
});
