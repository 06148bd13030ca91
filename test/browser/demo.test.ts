/**
 * The demo page in headless Chromium: on each backend the page trains STEPS DINO
 * steps through its test hook (window.demo.train), every loss is finite, the
 * backend that ran is the one asked for, and the first loss matches the same
 * step on the float64 reference interpreter (run in the page's worker on the
 * same state and batch). A screenshot of the page after training is written to
 * test-output/browser/demo-<backend>.png for a person to look at.
 *
 * Without Chromium the suite skips and says why (SHAPEGRAD_REQUIRE_BROWSER=1
 * makes that a failure, as CI wants). Runs with the browser suite:
 * `npx mocha --config test/browser/mocharc.json` (after npm run build).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildDemo, repoRoot } from '../../demo/build.js';
import { serveStatic, type StaticServer } from '../../browser/server.js';
import { findChromium, launchChromium } from '../../browser/chromium.js';

const outputDir = join(repoRoot, 'test-output', 'browser');

interface TrainResult {
  readonly losses: number[];
  readonly referenceLoss?: number;
  readonly knn: [number, number][];
  readonly imagesPerSecond: number;
  readonly ran?: { readonly backend: string; readonly executorKind: string; readonly threads?: number };
  readonly kernels?: number;
}
type DemoHook = {
  train(o: Record<string, unknown>): Promise<TrainResult>;
  spirals(o: Record<string, unknown>): Promise<{ losses: number[]; accuracy: number; ran?: { backend: string } }>;
};

/**
 * Float32 arithmetic against float64: the first DINO loss (about 3) agrees to a relative 1e-4.
 * Measured here: 2e-6 (wasm, xcit-tiny), 1e-7 (webgl2 and cpu, resmlp-tiny).
 */
const RELATIVE_TOLERANCE = 1e-4;

/**
 * Steps per backend: enough for the k-NN monitor to run twice and for a NaN to show. At 30
 * steps the five runs took 190 s of CI on SwiftShader; longer training is the CLI tests' work.
 */
const STEPS = 10;

/**
 * What each backend trains: XCiT (the page's default there, with k-NN and attention maps) on
 * wasm; ResMLP with batch 8 on the GPU backends (the page's default there: they run on
 * SwiftShader, a CPU emulation of a GPU, here) and on cpu (whose default, XCiT, is 5x slower).
 */
const CASES = [
  { backend: 'wasm', model: 'xcit-tiny', batchSize: 8, knnEvery: STEPS },
  { backend: 'webgl2-native', model: 'xcit-tiny', batchSize: 8, knnEvery: STEPS },
  { backend: 'webgl2', model: 'resmlp-tiny', batchSize: 8, knnEvery: 0 },
  { backend: 'webgpu', model: 'resmlp-tiny', batchSize: 8, knnEvery: 0 },
  { backend: 'cpu', model: 'resmlp-tiny', batchSize: 8, knnEvery: STEPS },
] as const;

describe('the demo page (npm run demo) in headless Chromium', function () {
  this.timeout(600000);
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const errors: string[] = [];

  before(async function () {
    const found = findChromium();
    if (found.path === null) {
      if (process.env['SHAPEGRAD_REQUIRE_BROWSER'] === '1') throw new Error(`the browser suite needs Chromium: ${found.reason}`);
      console.log(`    skipped: ${found.reason}`);
      this.skip();
    }
    const built = await buildDemo({ outDir: join(repoRoot, 'dist', 'test-output', 'demo-site') });
    server = await serveStatic(built.dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1220, height: 1300 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as unknown as { demo?: unknown }).demo !== undefined);
    mkdirSync(outputDir, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the page is cross-origin isolated (SharedArrayBuffer for the wasm threads)', async () => {
    assert.equal(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), true);
  });

  for (const c of CASES) {
    it(`trains ${STEPS} DINO steps on ${c.backend} (${c.model}, batch ${c.batchSize}): finite losses, the first one the float64 reference's`, async () => {
      let result: TrainResult | undefined;
      try {
        result = await page.evaluate((o) => (globalThis as unknown as { demo: DemoHook }).demo.train(o), { ...c, steps: STEPS, reference: true });
      } finally {
        await page.screenshot({ path: join(outputDir, `demo-${c.backend}.png`), fullPage: true });
      }
      const { losses, referenceLoss, ran } = result;
      assert.equal(losses.length, STEPS);
      assert.ok(losses.every(Number.isFinite), `losses ${losses.join(', ')}`);
      assert.equal(ran?.backend, c.backend, `ran on ${JSON.stringify(ran)}`);
      if (c.backend === 'wasm') assert.equal(ran?.executorKind, 'native-threads');
      assert.ok(referenceLoss !== undefined && Number.isFinite(referenceLoss));
      const error = Math.abs(losses[0]! - referenceLoss) / Math.abs(referenceLoss);
      assert.ok(error <= RELATIVE_TOLERANCE, `first loss ${losses[0]} on ${c.backend}, ${referenceLoss} on the reference interpreter: relative error ${error.toExponential(2)}`);
      if (c.knnEvery > 0) assert.deepEqual(result.knn.map(([step]) => step), [0, STEPS]);
      assert.deepEqual(errors, []);
    });
  }

  it('the two-spirals demo fits the spirals (webgl2)', async () => {
    const r = await page.evaluate(() => (globalThis as unknown as { demo: DemoHook }).demo.spirals({ backend: 'webgl2', steps: 300 }));
    await page.screenshot({ path: join(outputDir, 'demo-spirals.png'), fullPage: true });
    assert.equal(r.ran?.backend, 'webgl2');
    assert.ok(r.losses.every(Number.isFinite));
    assert.ok(r.losses[r.losses.length - 1]! < 0.2 * r.losses[0]!, `loss ${r.losses[0]} -> ${r.losses[r.losses.length - 1]}`);
    assert.ok(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
  });
});
