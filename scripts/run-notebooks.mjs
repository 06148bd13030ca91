#!/usr/bin/env node
/**
 * Executes every notebook in examples/ (examples/*.ipynb) headlessly with
 * Deno's Jupyter kernel and nbclient, each into a temporary folder, and ends
 * with the line "N passed, N failed" (N notebooks). A notebook fails on the
 * first cell that raises: the runner prints the notebook, the cell's index,
 * its first lines and the error.
 *
 *   node scripts/run-notebooks.mjs                 # check them all (npm run notebooks builds first)
 *   node scripts/run-notebooks.mjs --update        # ... and write the outputs back into examples/
 *   node scripts/run-notebooks.mjs 03 swav         # only notebooks whose file name contains 03 or swav
 *   node scripts/run-notebooks.mjs --timeout 300   # seconds one cell may run (default 600)
 *
 * Needs: the built library (dist/, `npm run build`), the `deno` devDependency
 * (its kernel: `deno jupyter --kernel`), and Python 3 with nbclient and
 * nbformat (Debian: python3-nbclient jupyter-nbconvert jupyter-client). The
 * kernelspec is written into the temporary folder and found through
 * JUPYTER_PATH, so nothing is installed into the user's Jupyter. The Python
 * used is $SHAPEGRAD_PYTHON, else /usr/bin/python3 (Debian's, which the apt
 * packages install into), else python3 on the PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');
const args = process.argv.slice(2);
const update = args.includes('--update');
const timeoutAt = args.indexOf('--timeout');
const cellTimeout = timeoutAt >= 0 ? Number(args[timeoutAt + 1]) : 600;
const filters = args.filter((a, i) => !a.startsWith('--') && !(timeoutAt >= 0 && i === timeoutAt + 1));

const notebooks = readdirSync(examples)
  .filter((f) => f.endsWith('.ipynb'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();

function finish(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** Fail every selected notebook (at least one) with one reason, when the runner itself cannot run. */
function cannotRun(reason) {
  console.log(`notebooks: ${reason}`);
  finish(0, Math.max(1, notebooks.length));
}

if (notebooks.length === 0) cannotRun(`no notebook in examples/ matches ${filters.join(' ') || '*.ipynb'}`);
if (!Number.isFinite(cellTimeout) || cellTimeout <= 0) cannotRun('--timeout needs a number of seconds');
if (!existsSync(join(root, 'dist', 'src', 'index.js'))) cannotRun('the library is not built (dist/src/index.js is missing): run `npm run build` first, or `npm run notebooks`, which builds');

const python = process.env.SHAPEGRAD_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const probe = spawnSync(python, ['-c', 'import nbclient, nbformat, jupyter_client'], { encoding: 'utf8' });
if (probe.status !== 0) {
  cannotRun(`${python} cannot import nbclient, nbformat and jupyter_client (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}); on Debian: apt-get install python3-nbclient jupyter-nbconvert jupyter-client, or set SHAPEGRAD_PYTHON to a Python that has them`);
}

let deno;
try {
  deno = createRequire(join(root, 'package.json'))('deno/install_api.cjs').runInstall();
} catch (e) {
  cannotRun(`the deno devDependency is not installed (npm install): ${e instanceof Error ? e.message : String(e)}`);
}

const work = mkdtempSync(join(tmpdir(), 'shapegrad-notebooks-'));
mkdirSync(join(work, 'kernels', 'deno'), { recursive: true });
mkdirSync(join(work, 'runtime'), { recursive: true });
writeFileSync(
  join(work, 'kernels', 'deno', 'kernel.json'),
  JSON.stringify({
    argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'],
    display_name: 'Deno',
    language: 'typescript',
    env: { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  }, null, 2),
);
const env = { ...process.env, JUPYTER_PATH: work, JUPYTER_RUNTIME_DIR: join(work, 'runtime'), PYTHONWARNINGS: 'ignore', NO_COLOR: '1' };
console.log(`notebooks: ${notebooks.length} in examples/, Deno kernel ${deno}, executed copies in ${work}${update ? ' (--update: outputs written back into examples/)' : ''}`);

const stripAnsi = (s) => String(s).replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

function execute(name) {
  return new Promise((done) => {
    const out = join(work, name);
    const child = spawn(python, [join(root, 'scripts', 'nbexec.py'), join(examples, name), out, 'deno', examples, String(cellTimeout)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        done({ ...JSON.parse(last), out });
      } catch {
        done({ ok: false, cell: null, ename: 'RunnerError', evalue: `nbexec.py exited with ${code}`, traceback: stripAnsi(stderr).trim().split('\n').slice(-15), out, seconds: 0 });
      }
    });
  });
}

let passed = 0;
let failed = 0;
const started = Date.now();
for (const name of notebooks) {
  const r = await execute(name);
  if (r.ok) {
    passed++;
    const slowest = Object.entries(r.cells ?? {}).sort((a, b) => b[1] - a[1])[0];
    console.log(`PASS ${name}  ${r.seconds.toFixed(1)} s${slowest ? ` (slowest cell ${slowest[0]}: ${Number(slowest[1]).toFixed(1)} s)` : ''}`);
    if (update) copyFileSync(r.out, join(examples, name));
  } else {
    failed++;
    console.log(`FAIL ${name}  cell ${r.cell ?? '?'}: ${stripAnsi(r.ename)}: ${stripAnsi(r.evalue)}`);
    if (typeof r.cell === 'number') {
      try {
        const nb = JSON.parse(readFileSync(join(examples, name), 'utf8'));
        const src = [].concat(nb.cells[r.cell]?.source ?? []).join('').split('\n');
        console.log(src.slice(0, 8).map((l) => `  | ${l}`).join('\n') + (src.length > 8 ? `\n  | ... (${src.length - 8} more lines)` : ''));
      } catch { /* the source notebook is unreadable: the error says so already */ }
    }
    const tb = (r.traceback ?? []).flatMap((t) => stripAnsi(t).split('\n')).filter((l) => l.trim() !== '');
    if (tb.length > 0) console.log(tb.slice(0, 12).map((l) => `  ${l}`).join('\n'));
    console.log(`  (the executed notebook: ${r.out})`);
  }
}
console.log(`notebooks: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
finish(passed, failed);
