/**
 * The browser suite (npm run test:browser): mocha in Node drives headless
 * Chromium (browser/chromium.ts) on a page bundled by ./bundle.ts and served by
 * browser/server.ts; each test calls one function of the page
 * (./page/main.ts) and checks what it returns.
 *
 * - conformance: every golden file on gpu.js's webgl2 and webgpu backends
 *   (float32 tolerance: 1e-4 of each tensor's largest magnitude, as headlessgl);
 * - the random-program property against the float64 reference on webgl2,
 *   webgl, webgpu and the native wasm backend (fewer cases than in Node: SwiftShader
 *   emulates the GPU on the CPU);
 * - the native wasm backend in a dedicated Worker and on the main thread with
 *   dispatch 'workers' (Atomics.waitAsync), on two threads, and on a page
 *   served without cross-origin isolation (one thread, and the reason why).
 *
 * Every compiled run asserts what ran (lastRun().backend is the backend asked
 * for). Without Chromium the suite says why and skips, unless
 * SHAPEGRAD_REQUIRE_BROWSER=1 (CI), where that is a failure.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from '../../browser/chromium.js';
import { serveStatic, type StaticServer } from '../../browser/server.js';
import { bundleSuite, SUITE_DIR } from './bundle.js';
import type { PageEnv, Suite } from './page/main.js';
import type { WasmCheck } from './page/wasm-checks.js';

const GOLDEN = 'test/fixtures/golden';
const goldenFiles = readdirSync(GOLDEN).filter((f) => f.endsWith('.json')).sort();

/** Random programs per backend and kind (values, gradients); SHAPEGRAD_BROWSER_RUNS overrides. */
const RUNS: Readonly<Record<'webgl2' | 'webgl2-native' | 'webgl' | 'webgpu' | 'wasm', number>> = (() => {
  const n = process.env['SHAPEGRAD_BROWSER_RUNS'];
  return n !== undefined && n !== '' ? { webgl2: Number(n), 'webgl2-native': Number(n), webgl: Number(n), webgpu: Number(n), wasm: Number(n) } : { webgl2: 8, 'webgl2-native': 15, webgl: 5, webgpu: 8, wasm: 15 };
})();
const SEED = Number(process.env['SHAPEGRAD_FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/**
 * Golden files a GPU backend cannot run, and why (the same reasons are in docs/backends.md).
 * Each still gets a test, named with the reason, that checks the reason still holds.
 */
const NOT_RUN: Readonly<Record<'webgl2' | 'webgl2-native' | 'webgpu', Readonly<Record<string, string>>>> = { webgl2: {}, 'webgl2-native': {}, webgpu: {} };

const required = process.env['SHAPEGRAD_REQUIRE_BROWSER'] === '1';

type Fn = { [K in keyof Suite]: Suite[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => Promise<R> : never };

/** Call one of the page's suite functions with JSON-able arguments. */
function call<K extends keyof Suite>(page: Page, name: K, ...args: Parameters<Fn[K]>): ReturnType<Fn[K]> {
  return page.evaluate(
    ([n, a]) => {
      const s = (globalThis as unknown as { shapegradSuite: Record<string, (...x: unknown[]) => Promise<unknown>> }).shapegradSuite;
      return s[n as string]!(...(a as unknown[]));
    },
    [name, args] as const,
  ) as ReturnType<Fn[K]>;
}

const log = (line: string) => process.stdout.write(`      ${line}\n`);

async function openSuitePage(browser: Browser, server: StaticServer): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log(`[page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => log(`[page error] ${e.stack ?? e.message}`));
  await page.goto(`${server.url}${SUITE_DIR}/index.html`);
  await page.waitForFunction(() => 'shapegradSuite' in globalThis, undefined, { timeout: 60000 });
  return page;
}

describe('browser: headless Chromium', function () {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const started = Date.now();

  before(async function () {
    const found = findChromium();
    if (found.path === null) {
      if (required) throw new Error(`SHAPEGRAD_REQUIRE_BROWSER=1 but the browser is missing: ${found.reason}`);
      log(`browser suite skipped: ${found.reason}`);
      this.skip();
    }
    await bundleSuite();
    server = await serveStatic('.');
    browser = await launchChromium();
    log(`${found.path} ${browser.version()}; page ${server.url}${SUITE_DIR}/index.html; random-program seed ${SEED}`);
    page = await openSuitePage(browser, server);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (browser) log(`browser suite wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('the page is cross-origin isolated and has WebGL2 and a WebGPU adapter (renderer and adapter below)', async () => {
    const env: PageEnv = await call(page, 'env');
    log(`user agent: ${env.userAgent}`);
    log(`WebGL2 renderer: ${env.webgl2 ? `${env.webgl2.renderer} (vendor ${env.webgl2.vendor})` : 'none'}`);
    log(`WebGPU adapter: ${env.webgpu ? JSON.stringify(env.webgpu) : 'none'}`);
    log(`crossOriginIsolated ${env.crossOriginIsolated}, hardwareConcurrency ${env.hardwareConcurrency}, gpu.js backends: ${env.gpujsBackends.join(', ')}`);
    assert.ok(env.crossOriginIsolated && env.sharedArrayBuffer, 'the page is cross-origin isolated');
    assert.ok(env.atomicsWaitAsync, 'Atomics.waitAsync exists');
    assert.ok(env.webgl2 !== null, 'a WebGL2 context');
    assert.ok(env.webgpu !== null, 'a WebGPU adapter');
    for (const b of ['webgl2', 'webgl', 'webgpu']) assert.ok(env.gpujsBackends.includes(b), `gpu.js offers ${b}`);
  });

  for (const backend of ['webgl2', 'webgl2-native', 'webgpu'] as const) {
    describe(`conformance on ${backend}: every golden file (float32, 1e-4 of each tensor's largest magnitude)`, () => {
      for (const file of goldenFiles) {
        const component = file.replace(/\.json$/, '');
        const reason = NOT_RUN[backend][component];
        it(reason === undefined ? `${backend}: ${component}` : `${backend}: ${component} is not run: ${reason}`, async () => {
          const r = await call(page, 'conformance', `/${GOLDEN}/${file}`, component, backend);
          if (reason !== undefined) {
            assert.ok(!r.ok, `${component} now passes on ${backend}: remove it from NOT_RUN (and docs/backends.md)`);
            return;
          }
          assert.ok(r.ok, r.lines.filter((l) => !l.startsWith('PASS')).join('\n'));
          assert.equal(r.ran?.backend, backend, `asked for ${backend}; ran ${JSON.stringify(r.ran)}`);
        });
      }
    });
  }

  describe('random programs agree with the float64 reference (the generator of test/support/random-programs.ts)', () => {
    for (const backend of ['webgl2', 'webgl2-native', 'webgl', 'webgpu', 'wasm'] as const) {
      for (const what of ['values', 'gradients'] as const) {
        it(`${backend}: ${what} (${RUNS[backend]} programs)`, async () => {
          const r = await call(page, 'randomPrograms', backend, what, RUNS[backend], SEED);
          log(`ran: ${Object.entries(r.ran).map(([k, n]) => `${k} x${n}`).join(', ')}`);
          assert.deepEqual(Object.keys(r.ran).map((k) => k.split(' ')[0]), [backend]);
        });
      }
    }
  });

  describe('webgl2-native: contractions of random sizes (values and both gradients), tiled and not', () => {
    it('agree with the float64 reference, and some shaders were row-tiled', async () => {
      const r = await call(page, 'contractions', 'webgl2-native', 30, SEED);
      log(`${r.runs} programs, ${r.shaders} shaders of which ${r.tiledShaders} row-tiled, ${(r.ms / 1000).toFixed(1)} s`);
      assert.deepEqual(Object.keys(r.ran), ['webgl2-native (draws)']);
      assert.ok(r.tiledShaders > 0, 'no shader was row-tiled: the property did not reach the tiled path');
    });
  });

  describe('the native wasm backend', () => {
    const check = (r: WasmCheck, threads: number) => {
      log(`${r.where}: ${r.threads} threads (${r.executorKind}, dispatch ${r.dispatch}), error ${r.error.toExponential(1)}, concurrent ${r.concurrentErrors.map((e) => e.toExponential(1)).join(' ')}, ${r.ms.toFixed(0)} ms`);
      assert.equal(r.fallbackReason, null);
      assert.equal(r.threads, threads);
      assert.equal(r.executorKind, threads > 1 ? 'native-threads' : 'native-sync');
      assert.ok(r.error <= 1e-4, `error against the float64 reference: ${r.error}`);
      assert.ok(r.sameAsOneThread, 'bit-identical to one thread');
      r.concurrentErrors.forEach((e, k) => assert.ok(e <= 1e-4, `concurrent call ${k}: error ${e} against its own reference`));
    };

    it('in a dedicated Worker, on 2 threads (the worker blocks in Atomics.wait), every kernel split', async () => {
      check(await call(page, 'wasmWorker', { threads: 2, split: true }), 2);
    });

    it("on the main thread with dispatch 'workers', on 2 threads (Atomics.waitAsync), every kernel split; four concurrent calls each get their own result", async () => {
      check(await call(page, 'wasmMain', { threads: 2, dispatch: 'workers', split: true }), 2);
    });

    it("on the main thread with the default dispatch and schedule, on 2 threads", async () => {
      check(await call(page, 'wasmMain', { threads: 2 }), 2);
    });
  });

  describe('a page served without cross-origin isolation', () => {
    let plain: StaticServer | undefined;
    let plainPage: Page;
    before(async () => {
      plain = await serveStatic('.', { isolated: false });
      plainPage = await openSuitePage(browser!, plain);
    });
    after(async () => {
      await plainPage?.close();
      await plain?.close();
    });

    it('has no SharedArrayBuffer; the native wasm backend runs on one thread and lastRun() says why', async () => {
      const env: PageEnv = await call(plainPage, 'env');
      assert.equal(env.crossOriginIsolated, false);
      assert.equal(env.sharedArrayBuffer, false);
      for (const request of [{ threads: 2 }, { threads: 2, dispatch: 'workers' as const }, {}]) {
        const r = await call(plainPage, 'wasmMain', request);
        log(`${JSON.stringify(request)}: ${r.threads} thread (${r.executorKind}); fallbackReason: ${r.fallbackReason}`);
        assert.equal(r.threads, 1);
        assert.equal(r.executorKind, 'native-sync');
        assert.match(r.fallbackReason ?? '', /cross-origin isolation/);
        assert.ok(r.error <= 1e-4 && r.sameAsOneThread);
        r.concurrentErrors.forEach((e, k) => assert.ok(e <= 1e-4, `concurrent call ${k}: error ${e}`));
      }
    });
  });
});
