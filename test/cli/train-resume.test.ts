/**
 * `train --resume` keeps its promise: a time-budget run continues the same schedules, the
 * run's settings cannot change under it, a mistyped folder is an error, a killed run's
 * leftovers are cleaned up and named, and a run resumed after its last checkpoint measures
 * nothing twice. Each case failed before issue 13.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickTraining, runCli, tempDirEach } from './run-cli.js';
import { readMetrics } from '../../src/train/metrics.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';

const cli = (args: string[]) => runCli('train', args);
const quick = quickTraining.filter((_, i, a) => a[i] !== '--minutes' && a[i - 1] !== '--minutes');
const series = (dir: string, field: string) => readMetrics(join(dir, 'metrics.jsonl')).map((m) => [m.step, m[field]]);

/** Start a run in a child process and kill -9 it once it has logged `steps` steps; resolves with how it ended. */
function killAfterSteps(args: string[], out: string, steps: number): Promise<{ pid: number; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'train', ...args], { stdio: 'ignore' });
  const metrics = join(out, 'metrics.jsonl');
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(metrics) && readFileSync(metrics, 'utf8').split('\n').length > steps) child.kill('SIGKILL');
    }, 20);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      resolve({ pid: child.pid!, signal });
    });
  });
}

describe('cli/train --resume', function () {
  this.timeout(600000);
  const tempDir = tempDirEach('shapegrad-resume-');

  it('a time-budget run resumed continues the schedules it planned, as --max-steps of the plan does; a changed setting is refused by name', () => {
    const timed = join(tempDir(), 'timed');
    const first = cli([...quick, '--minutes', '1', '--stop-after', '3', '--out', timed]);
    assert.equal(first.code, 0, first.err);
    const plan = readCheckpoint(join(timed, 'checkpoint.json')).schedule;
    assert.ok(plan !== undefined && plan.totalSteps >= 5, `a plan in the checkpoint: ${JSON.stringify(plan)}`);
    assert.ok(plan.elapsedMs > 0);

    const before = readFileSync(join(timed, 'checkpoint.json'));
    const changed = cli(['--resume', '--out', timed, '--batch-size', '16', '--lr', '0.01', '--seed', '0', '--model', 'xcit-tiny']);
    assert.equal(changed.code, 2);
    assert.equal(changed.err.trim().split('\n').length, 1, changed.err);
    assert.match(changed.err, /--batch-size 16 \(the run has 8\), --lr 0\.01 \(the run has 0\.0005\), --model xcit-tiny \(the run has resmlp-tiny\)/);
    assert.deepEqual(readFileSync(join(timed, 'checkpoint.json')), before, 'nothing written');

    // no flag but --out: the settings come from run.json
    const resumed = cli(['--resume', '--out', timed, '--stop-after', '5']);
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.err, new RegExp(`resuming from step 3 of ${plan.totalSteps}`));

    const planned = join(tempDir(), 'planned');
    assert.equal(cli([...quick, '--minutes', '5', '--max-steps', String(plan.totalSteps), '--stop-after', '5', '--out', planned]).code, 0);
    assert.deepEqual(series(timed, 'lr'), series(planned, 'lr'));
    assert.deepEqual(series(timed, 'loss'), series(planned, 'loss'));
  });

  it('--resume on a folder that holds no run is an error and creates nothing', () => {
    const missing = join(tempDir(), 'typo');
    const r = cli([...quick, '--max-steps', '1', '--resume', '--out', missing]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^shapegrad train: cannot resume: run folder .*typo does not exist; check the folder name, or drop --resume to start a new run\n$/);
    assert.equal(existsSync(missing), false);
    const noOut = cli(['--resume']);
    assert.equal(noOut.code, 2);
    assert.match(noOut.err, /--resume needs --out/);
  });

  it('killed (-9) mid-run and resumed: the leftover temporary file is removed and named, the run ends as an uninterrupted one, and a second resume measures nothing twice', async () => {
    const killed = join(tempDir(), 'killed');
    const args = [...quick, '--minutes', '5', '--max-steps', '6', '--out', killed];
    const { pid, signal } = await killAfterSteps(args, killed, 1);
    assert.equal(signal, 'SIGKILL', 'the run was killed mid-way');
    // what a kill inside writeFileAtomic leaves (its pid is dead now)
    writeFileSync(join(killed, `checkpoint.json.tmp-${pid}`), '{"format":"shapegrad-chec');
    const r = cli(['--resume', '--out', killed]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`removed .*checkpoint\\.json\\.tmp-${pid}, left by an interrupted write`));
    assert.match(r.err, /has no checkpoint yet: starting from step 0/);
    assert.ok(!readdirSync(killed).some((n) => /\.tmp-\d+$/.test(n)));

    const whole = join(tempDir(), 'whole');
    assert.equal(cli([...quick, '--minutes', '5', '--max-steps', '6', '--out', whole]).code, 0);
    assert.deepEqual(series(killed, 'loss'), series(whole, 'loss'));

    // the state a kill during the final evaluation leaves: the last checkpoint and its k-NN record both written
    assert.equal(cli(['--resume', '--out', killed]).code, 0);
    assert.deepEqual(readMetrics(join(killed, 'knn.jsonl')).map((m) => m.step), [0, 6]);
  });
});
