import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BROWSER_BACKENDS, DEFAULT_BUDGET_S, parseArgs, UsageError, type Options } from '../../bench/args.js';
import { BROWSER_ROWS, GPU_ROWS } from '../../bench/browser/spec.js';

const MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

const parse = (...args: string[]): Options => {
  const o = parseArgs(args);
  if (o === 'help') throw new Error('help');
  return o;
};

describe('bench command line (bench/args.ts)', () => {
  it('defaults: the Node bench, every workload and implementation, the default budget', () => {
    const o = parse();
    assert.equal(o.browser, false);
    assert.equal(o.gpu, false);
    assert.equal(o.allowSwiftshader, false);
    assert.equal(o.backends, null);
    assert.deepEqual(o.only, ['matmul', 'xcit', 'dino', 'dino-step']);
    assert.deepEqual(o.impls, ['shapegrad', 'tfjs', 'jax-js', 'pytorch']);
    assert.equal(o.budgetS, DEFAULT_BUDGET_S);
    assert.equal(o.budgetGiven, false);
    assert.equal(o.reference, true);
  });

  it('--browser with --json, --quick, --only, --impl, --budget and --backends', () => {
    const o = parse('--browser', '--json', '--quick', '--only', 'matmul,xcit', '--impl', 'shapegrad,tfjs', '--budget', '45', '--backends', 'webgl2,webgl');
    assert.equal(o.browser, true);
    assert.equal(o.json, true);
    assert.equal(o.quick, true);
    assert.equal(o.reference, false);
    assert.deepEqual(o.only, ['matmul', 'xcit']);
    assert.deepEqual(o.impls, ['shapegrad', 'tfjs']);
    assert.equal(o.budgetS, 45);
    assert.equal(o.budgetGiven, true);
    assert.deepEqual(o.backends, ['webgl2', 'webgl']);
  });

  it('--gpu, and --gpu --allow-swiftshader', () => {
    assert.equal(parse('--gpu').gpu, true);
    assert.equal(parse('--gpu').allowSwiftshader, false);
    const o = parse('--gpu', '--allow-swiftshader');
    assert.equal(o.gpu && o.allowSwiftshader, true);
    assert.equal(o.browser, false);
  });

  it('--help is not an error', () => {
    assert.equal(parseArgs(['--browser', '--help']), 'help');
  });

  for (const [args, why] of [
    [['--bogus'], /unknown option --bogus/],
    [['--browser', '--gpu'], /two different runs/],
    [['--allow-swiftshader'], /goes with --gpu/],
    [['--browser', '--allow-swiftshader'], /goes with --gpu/],
    [['--backends', 'webgl2'], /goes with --browser or --gpu/],
    [['--browser', '--backends', 'cuda'], /--backends: unknown cuda/],
    [['--only', 'resnet'], /--only: unknown resnet/],
    [['--impl'], /--impl needs a value/],
    [['--budget', '0'], /--budget needs a number/],
    [['--budget', 'soon'], /--budget needs a number/],
  ] as const) {
    it(`rejects ${args.join(' ')} with a usage error`, () => {
      assert.throws(() => parseArgs(args), (e: unknown) => e instanceof UsageError && why.test(e.message) && e.message.includes('usage:'));
    });
  }

  it('the backends --backends accepts are those of the browser rows; --gpu runs the GPU ones', () => {
    assert.deepEqual([...new Set(BROWSER_ROWS.map((r) => r.backend))].sort(), [...BROWSER_BACKENDS].sort());
    assert.deepEqual(GPU_ROWS.map((r) => `${r.impl}/${r.backend}`), ['shapegrad/webgl2', 'shapegrad/webgl2-native', 'shapegrad/webgpu', 'tfjs/webgl', 'tfjs/webgpu', 'jax-js/webgpu']);
  });

  describe('node dist/bench/main.js', function () {
    this.timeout(30000);
    for (const args of [['--bogus'], ['--browser', '--frobnicate'], ['--gpu', '--browser']]) {
      it(`exits 2 with the usage on stderr for ${args.join(' ')}, before running anything`, () => {
        const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20000 });
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /usage: node dist\/bench\/main\.js/);
        assert.match(r.stderr, /--browser/);
        assert.match(r.stderr, /--gpu/);
        assert.equal(r.stdout, '');
      });
    }

    it('--help prints the usage on stdout and exits 0', () => {
      const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /--allow-swiftshader/);
    });
  });
});
