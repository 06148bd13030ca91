/**
 * The browser bench end to end (npm run bench -- --browser --quick --only matmul --json):
 * every row in headless Chromium ran, agreed with shapegrad's oracle and was
 * timed; shapegrad ran on the threads asked for; the Node rows of the same run
 * are there, with the Chromium/Node ratio. About 20-40 s on 2 cores.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../../browser/chromium.js';
import type { BrowserBenchRow } from '../../bench/browser/rows.js';

const MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('browser bench: npm run bench -- --browser --quick --only matmul', function () {
  this.timeout(240000);

  it('gives a checked, timed row for every implementation in Chromium, and shapegrad wasm in Node beside them', async function () {
    const found = findChromium();
    if (found.path === null) {
      if (process.env['SHAPEGRAD_REQUIRE_BROWSER'] === '1') throw new Error(`SHAPEGRAD_REQUIRE_BROWSER=1 but the browser is missing: ${found.reason}`);
      this.skip();
    }
    const t0 = Date.now();
    const r = await run(['--browser', '--quick', '--only', 'matmul', '--json']);
    process.stdout.write(`      --browser --quick --only matmul: exit ${r.code} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => /ERROR|error/.test(l)).join('\n'));
    const rows = JSON.parse(r.stdout) as BrowserBenchRow[];
    const chromium = rows.filter((x) => x.where === 'chromium');
    const node = rows.filter((x) => x.where === 'node');
    const expected = ['shapegrad/wasm-1t', 'shapegrad/wasm-2t', 'shapegrad/webgl2', 'shapegrad/webgl2-native', 'shapegrad/webgpu', 'tfjs/webgl', 'tfjs/wasm', 'tfjs/webgpu', 'jax-js/wasm', 'jax-js/webgpu'];
    for (const w of ['matmul 128', 'matmul 512']) {
      assert.deepEqual(chromium.filter((x) => x.workload === w).map((x) => `${x.impl}/${x.backend}`), expected, w);
      // Node's rows: the native backend with float64 and with float32 outputs (issue 19, item 3).
      assert.deepEqual(node.filter((x) => x.workload === w).map((x) => `${x.impl}/${x.backend}`), ['shapegrad/wasm-1t', 'shapegrad/wasm-2t', 'shapegrad/wasm-1t-f32', 'shapegrad/wasm-2t-f32'], w);
    }
    for (const x of rows) {
      assert.equal(x.status, 'ok', `${x.workload} ${x.impl}/${x.backend} (${x.where}): ${x.status}`);
      if (x.status !== 'ok') continue;
      assert.ok(x.median_ms > 0 && x.repeats >= 3, `${x.workload} ${x.impl}/${x.backend}: timed`);
      if (x.where === 'chromium') {
        assert.equal(x.check.against, 'shapegrad/wasm-1t (chromium)', 'checked against shapegrad in the page');
        assert.ok(x.check.loss_rel_err! <= 1e-4 && x.check.tensor_err! <= 1e-3);
      }
      if (x.impl === 'shapegrad' && x.backend === 'wasm-2t') assert.match(x.detail, /2 threads \(native-threads\)/, 'lastRun().threads is 2');
      if (x.impl === 'shapegrad' && x.backend === 'wasm-1t') assert.match(x.detail, /1 thread \(native-sync\)/);
      if (x.where === 'chromium' && x.impl === 'shapegrad' && x.backend.startsWith('wasm')) assert.ok(x.chromium_over_node !== null && x.chromium_over_node > 0);
      if (x.backend === 'webgl2' || x.backend === 'webgl') assert.match(x.renderer, /ANGLE|WebGL|[A-Za-z]/);
      if (x.backend === 'webgpu') assert.match(x.renderer, /^WebGPU /);
    }
  });
});
