/**
 * Fuzz: the command line run as a child process with random flags and values. Whatever the
 * arguments, a command ends with 0, 1 or 2 (no crash, no hang); a failure is one line on
 * stderr that starts with the command's name and names the flag or value at fault, with no
 * stack trace; and a failure writes nothing (the child runs in an empty folder that must
 * stay empty; train's --out points into it). Bounded: a few dozen runs, each with a timeout,
 * and every drawn combination that could succeed is a cheap one.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';

const main = resolve('dist/src/cli/main.js');

function runIn(cwd: string, args: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Values a careless or hostile user might type. */
const value = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1', '2', '1e9', '1e400', 'NaN', 'Infinity', '-0', '0.5', '3', 'abc', '--', '1,2', '0x10', '../x', 'null', '2147483648', 'wasm', 'cpu', 'dino', 'mnist'),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 1e7 }).map(String),
);

/** A flag of the command (or a misspelling of one) with a drawn value. */
function flagsOf(names: readonly string[], switches: readonly string[]): fc.Arbitrary<string[]> {
  const named = fc.tuple(fc.constantFrom(...names, 'bogus', 'stepz', 'Lr'), value, fc.boolean()).map(([n, v, eq]) => (eq ? [`--${n}=${v}`] : [`--${n}`, v]));
  const sw = fc.constantFrom(...switches.map((s) => [`--${s}`]), ['--help'], ['-x'], ['stray']);
  return fc.array(fc.oneof({ weight: 4, arbitrary: named }, { weight: 1, arbitrary: sw }), { maxLength: 4 }).map((parts) => parts.flat());
}

interface Case {
  readonly command: string;
  readonly args: readonly string[];
}

function check(c: Case, cwd: string): void {
  const r = runIn(cwd, [c.command, ...c.args]);
  const what = `shapegrad ${[c.command, ...c.args].map((a) => JSON.stringify(a)).join(' ')}\n${r.err}`;
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `exit ${r.code}: ${what}`);
  assert.ok(!/\n\s+at /.test(r.err), `a stack trace: ${what}`);
  if (r.code !== 0) {
    const lines = r.err.trim().split('\n').filter((l) => l.startsWith('shapegrad'));
    assert.equal(lines.length, 1, `one error line: ${what}`);
    assert.match(lines[0]!, new RegExp(`^shapegrad ${c.command}: \\S`), what);
    if (r.code === 2) {
      const quotesAFlagGiven = c.args.some((a) => a.length > 1 && a.startsWith('-') && lines[0]!.includes(a.split('=')[0]!));
      assert.ok(quotesAFlagGiven || /--[A-Za-z]|argument|at least one|does not exist|no golden files|empty path/.test(lines[0]!), `a usage error names the flag: ${what}`);
    }
  }
  const left = readdirSync(cwd);
  assert.deepEqual(r.code === 0 ? [] : left, [], `nothing written on failure: ${left.join(', ')} after ${what}`);
}

describe('fuzz: the command line', function () {
  this.timeout(120_000);
  let cwd = '';
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'shapegrad-fuzz-cli-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const clean = () => {
    for (const name of readdirSync(cwd)) rmSync(join(cwd, name), { recursive: true, force: true });
  };

  it('train: random flags give a clear error or start a run that stops at the missing data, writing nothing', () => {
    const names = ['method', 'model', 'dataset', 'minutes', 'max-steps', 'stop-after', 'batch-size', 'lr', 'seed', 'backend', 'local-views', 'knn-train', 'knn-test', 'out-dim', 'teacher-temp', 'momentum-teacher', 'labels-per-class', 'cluster-images'];
    fc.assert(
      fc.property(flagsOf(names, ['resume', 'json']), (args) => {
        clean();
        // --out and --data-root last (they win): every run that parses stops at the missing data
        check({ command: 'train', args: [...args, '--out', join(cwd, 'run'), '--data-root', join(cwd, 'no-data')] }, cwd);
      }),
      { numRuns: 14 },
    );
  });

  it('demo: random flags give a clear error or a short run', () => {
    const steps = fc.constantFrom('1', '2', '0', '-1', '1e9', '100001', 'x', '', '1.5');
    const hidden = fc.constantFrom('1', '4', '0', '1025', '1e9', 'NaN', '');
    const arb = fc.tuple(flagsOf(['steps', 'hidden'], []), steps, hidden).map(([noise, s, h]) => [...noise.filter((a) => !/^--(steps|hidden)/.test(a)), '--steps', s, '--hidden', h]);
    fc.assert(
      fc.property(arb, (args) => {
        clean();
        check({ command: 'demo', args }, cwd);
      }),
      { numRuns: 8 },
    );
  });

  it('conformance and eval: random paths and flags give a clear error', () => {
    const path = fc.constantFrom('missing.json', '', '.', '/dev/null/x', 'no/such/folder');
    const conformance = fc.tuple(fc.array(path, { maxLength: 2 }), flagsOf(['backend'], ['json'])).map(([paths, flags]): Case => ({ command: 'conformance', args: [...paths, ...flags] }));
    const evalCase = flagsOf(['run', 'knn-train', 'knn-test', 'backend', 'data-root'], ['json']).map((args): Case => ({ command: 'eval', args: [...args, '--run', 'no-run'] }));
    fc.assert(
      fc.property(fc.oneof(conformance, evalCase), (c) => {
        clean();
        check(c, cwd);
      }),
      { numRuns: 10 },
    );
  });
});
