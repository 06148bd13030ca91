/** The command line's conventions, each checked on the built CLI in a child process. */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickTraining, runShapegrad, tempDirEach } from './run-cli.js';

const commands = ['train', 'eval', 'export', 'features', 'demo', 'conformance'] as const;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; scripts: Record<string, string> };

describe('cli conventions', function () {
  this.timeout(600000);
  const tempDir = tempDirEach('shapegrad-conventions-');

  it('bare shapegrad prints the help and exits 0, writing nothing', () => {
    const r = runShapegrad([]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^usage: shapegrad <command>/);
    for (const c of commands) assert.match(r.out, new RegExp(`usage: shapegrad ${c}`));
  });

  it('npm start still runs the training job, naming it', () => {
    assert.match(pkg.scripts['start']!, /main\.js train$/);
  });

  it('-h and --help print the help, for the program and for each command, and exit 0', () => {
    for (const args of [['-h'], ['--help'], ...commands.flatMap((c) => [[c, '-h'], [c, '--help']])]) {
      const r = runShapegrad(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, args.length === 1 ? /usage: shapegrad <command>/ : new RegExp(`^usage: shapegrad ${args[0]}`), args.join(' '));
      assert.equal(r.err, '', args.join(' '));
    }
  });

  it('--version prints the version of package.json', () => {
    const r = runShapegrad(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), pkg.version);
  });

  it('--flag=value is accepted like --flag value', () => {
    const r = runShapegrad(['demo', '--steps=2', '--hidden=4']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /after 2 steps/);
  });

  it('an unknown flag is one error line and exit 2, in every command and before any', () => {
    for (const args of [['--stepz', '5'], ...commands.map((c) => [c, '--stepz', '5'])]) {
      const r = runShapegrad(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err.split('\n')[0]!, /unknown flag --stepz/, args.join(' '));
    }
  });

  it('an extra argument is one error line and exit 2, in every command that takes none', () => {
    for (const c of ['train', 'eval', 'export', 'features', 'demo']) {
      const r = runShapegrad([c, 'extra']);
      assert.equal(r.code, 2, c);
      assert.equal(r.err.trim(), `shapegrad ${c}: unexpected argument 'extra'`);
    }
    const r = runShapegrad(['conformance', join(tempDir(), 'missing')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing does not exist/);
  });

  it('numeric flags are bounded with a message that names the bound (demo --hidden 1e9 no longer runs out of memory)', () => {
    for (const [args, pattern] of [
      [['demo', '--hidden', '1e9'], /--hidden must be an integer from 1 to 1024, got '1e9'/],
      [['demo', '--steps', '0'], /--steps must be an integer from 1 to 100000, got '0'/],
      [['train', '--knn-train', '1e12'], /--knn-train must be an integer from 1 to 1000000/],
      [['eval', '--run', 'x', '--knn-test', '2.5'], /--knn-test must be an integer from 1 to 1000000/],
    ] as const) {
      const r = runShapegrad(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, pattern);
    }
  });

  it('--out "" is refused with a clear error', () => {
    const r = runShapegrad(['train', '--out', '']);
    assert.equal(r.code, 2);
    assert.equal(r.err.trim(), "shapegrad train: --out needs a folder path, got ''");
  });

  it('a run that fails to compile leaves no run folder, so the same --out works next time', () => {
    const out = join(tempDir(), 'run');
    const r = runShapegrad(['train', '--model', 'resmlp-tiny', '--batch-size', '100000', '--out', out]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /shapegrad train: compileWasm: the program's buffers need/);
    assert.equal(existsSync(out), false, 'no folder holding only run.json');
  });

  it('train --json carries every column the table prints', () => {
    const out = join(tempDir(), 'run');
    const r = runShapegrad(['train', ...quickTraining, '--max-steps', '1', '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { steps: number; columns: string[]; rows: Record<string, unknown>[] };
    assert.equal(json.steps, 1);
    assert.deepEqual(json.columns, ['features', 'knnTop1', 'knnTop5', 'linearTop1', 'nmi', 'ari']);
    for (const row of json.rows) for (const c of ['name', ...json.columns.slice(1), 'dim']) assert.ok(c in row, `${String(row['name'])} lacks ${c}`);
    const table = readFileSync(join(out, 'results.txt'), 'utf8');
    for (const row of json.rows) assert.ok(table.includes(String(row['name'])), String(row['name']));
    assert.equal(typeof json.rows[0]!['linearTop1'], 'number', 'the linear probe column the table prints');
  });
});
