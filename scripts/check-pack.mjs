#!/usr/bin/env node
/**
 * The package's budget, checked in CI (.ci/run): `npm pack --dry-run --json` must stay under
 * 1.75 MB unpacked and hold no tests, benches, CI files, scripts or notebooks; the packed tarball,
 * installed into an empty folder with its production dependencies only, must import from an ESM
 * script ('shapegrad', 'shapegrad/testing', 'shapegrad/node', 'shapegrad/train',
 * 'shapegrad/notebook') and run its bin. It also reports whether require() works on this Node
 * (when it does not, the README must say the package is ESM only) and the consumer install's
 * size (du of its node_modules), which the README's install section records.
 *
 *   node scripts/check-pack.mjs            # needs dist/src built (npm run build or build:package)
 *   node scripts/check-pack.mjs --keep     # keep the consumer folder and print where it is
 *
 * Lifecycle scripts are skipped (--ignore-scripts): the build is the caller's, and npm's
 * `prepare` would otherwise delete the full build the tests use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_UNPACKED = 1.75 * 1024 * 1024;
/** Paths the tarball must not hold: tests, benches, CI, scripts, notebooks, demos, sources maps of them. */
const FORBIDDEN = [/^(test|bench|\.ci|scripts|examples|demo|browser|docs)\//, /^dist\/(?!src\/)/, /\.ipynb$/, /\.test\.[cm]?[jt]s$/, /(^|\/)\.test-results\.json$/];
const ENTRIES = ['shapegrad', 'shapegrad/testing', 'shapegrad/node', 'shapegrad/train', 'shapegrad/notebook'];

const problems = [];
const npm = (args, cwd = root) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

if (!existsSync(join(root, 'dist', 'src', 'index.js'))) {
  console.log('check-pack: dist/src is not built: run `npm run build` (or `npm run build:package`) first');
  process.exit(1);
}

const [dry] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']));
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
console.log(`npm pack: ${dry.entryCount} files, ${mb(dry.size)} packed, ${mb(dry.unpackedSize)} unpacked (budget ${mb(MAX_UNPACKED)})`);
if (dry.unpackedSize > MAX_UNPACKED) problems.push(`unpacked size ${mb(dry.unpackedSize)} is over the budget of ${mb(MAX_UNPACKED)}`);
const forbidden = dry.files.map((f) => f.path).filter((p) => FORBIDDEN.some((re) => re.test(p)));
if (forbidden.length > 0) problems.push(`the tarball holds files that must not ship: ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? `, ... (${forbidden.length})` : ''}`);
for (const needed of ['LICENSE', 'README.md', 'package.json', 'bin/shapegrad.js', 'dist/src/index.js', 'dist/src/index.d.ts']) {
  if (!dry.files.some((f) => f.path === needed)) problems.push(`the tarball lacks ${needed}`);
}

const work = mkdtempSync(join(tmpdir(), 'shapegrad-pack-'));
try {
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work]));
  const consumer = join(work, 'consumer');
  execFileSync('mkdir', [consumer]);
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', join(work, packed.filename)], consumer);
  const du = execFileSync('du', ['-sk', 'node_modules'], { cwd: consumer, encoding: 'utf8' });
  const installedKb = Number(du.split(/\s/)[0]);
  console.log(`consumer install (tarball + production dependencies): ${(installedKb / 1024).toFixed(0)} MB in node_modules`);

  writeFileSync(
    join(consumer, 'smoke.mjs'),
    `${ENTRIES.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}
const sg = m0;
const x = sg.fromArray(Float64Array.from([1, 2, 3]), ['N'], { N: 3 });
const y = sg.evaluate(sg.sum(sg.mul(x, x), 'N'));
if (y.data[0] !== 14) throw new Error('sum of squares gave ' + y.data[0]);
for (const [name, m] of [${ENTRIES.map((e, i) => `['${e}', m${i}]`).join(', ')}]) if (Object.keys(m).length === 0) throw new Error(name + ' exports nothing');
console.log('imports: ${ENTRIES.join(', ')}');
`,
  );
  const esm = spawnSync(process.execPath, ['smoke.mjs'], { cwd: consumer, encoding: 'utf8' });
  if (esm.status !== 0) problems.push(`importing the installed package failed:\n${esm.stderr.trim()}`);
  else console.log(esm.stdout.trim());

  const bin = spawnSync('npx', ['--no-install', 'shapegrad', '--version'], { cwd: consumer, encoding: 'utf8' });
  if (bin.status !== 0 || bin.stdout.trim() !== JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) problems.push(`npx shapegrad --version failed: ${bin.stderr.trim() || bin.stdout.trim()}`);

  const cjs = spawnSync(process.execPath, ['-e', "require('shapegrad'); require('shapegrad/node')"], { cwd: consumer, encoding: 'utf8' });
  const requireWorks = cjs.status === 0;
  console.log(`require('shapegrad') on Node ${process.version}: ${requireWorks ? 'works' : `fails (${cjs.stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? ''})`}`);
  if (!requireWorks && !/ESM only/i.test(readFileSync(join(root, 'README.md'), 'utf8'))) problems.push("require('shapegrad') fails on this Node and the README does not say the package is ESM only");

  if (process.argv.includes('--keep')) console.log(`consumer kept in ${consumer}`);
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}

for (const p of problems) console.log(`check-pack: ${p}`);
console.log(problems.length === 0 ? 'check-pack: ok' : `check-pack: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
