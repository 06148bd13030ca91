/**
 * `npm run demo` without a browser: the build writes the page, its workers and
 * the MNIST slice (parseable by the page's parser), the server entry sets the
 * isolation headers and prints its URL, and its flags are checked. The page
 * itself is tested in Chromium by test/browser/demo.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildDemo, repoRoot } from '../../demo/build.js';
import { MNIST_FILES, mnistFromIdx } from '../../src/data/index.js';
import { loadMnist } from '../../src/node/index.js';

const main = join(repoRoot, 'dist', 'demo', 'main.js');

/** Run the demo's entry; resolves with its exit code and output. `onLine` may stop it. */
function runDemo(args: string[], onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const line of d.toString().split('\n')) if (line !== '') onLine?.(line, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('demo (npm run demo): build, data, server entry', function () {
  this.timeout(120000);

  it('builds the page, both workers and a gzipped IDX slice of MNIST that mnistFromIdx reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shapegrad-demo-'));
    try {
      const built = await buildDemo({ outDir: dir, trainImages: 300, testImages: 100 });
      for (const f of ['index.html', 'page.js', 'train-worker.js', 'worker.js']) assert.ok((built.files[f] ?? 0) > 0, f);
      assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /<script type="module" src="page.js">/);
      // No CDN: the bundles load nothing from another origin.
      for (const f of ['page.js', 'train-worker.js']) assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /(import|from)\s*\(?["']https?:/, f);
      const read = (name: string) => gunzipSync(readFileSync(join(dir, 'mnist', `${name}.gz`)));
      const full = loadMnist('test');
      for (const [split, n] of [['train', 300], ['test', 100]] as const) {
        const ds = mnistFromIdx(split, { images: read(MNIST_FILES[split].images), labels: read(MNIST_FILES[split].labels) });
        assert.equal(ds.n, n);
        if (split === 'test') {
          assert.deepEqual(ds.labels, full.labels.subarray(0, n));
          assert.deepEqual(ds.images, full.images.subarray(0, n * 784));
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage; an unknown flag or a bad port exits with code 2', async () => {
    const help = await runDemo(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: npm run demo/);
    const unknown = await runDemo(['--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown flag "--bogus"/);
    const port = await runDemo(['--port', 'x']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port needs a port number/);
  });

  it('serves the page with COOP/COEP on 127.0.0.1 and stops on SIGINT', async () => {
    let checked: Promise<void> | undefined;
    const result = await runDemo([], (line, child) => {
      const url = /shapegrad demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
      if (url === undefined) return;
      checked = (async () => {
        try {
          const res = await fetch(url);
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
          assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
          assert.match(await res.text(), /shapegrad in the browser/);
          const data = await fetch(new URL(`mnist/${MNIST_FILES.train.labels}.gz`, url));
          assert.equal(data.status, 200);
        } finally {
          child.kill('SIGINT');
        }
      })();
    });
    assert.ok(checked, `no URL printed: ${result.stdout} ${result.stderr}`);
    await checked;
    assert.equal(result.code, 0, result.stderr);
  });
});
