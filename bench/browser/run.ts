/**
 * The browser bench's Node side (npm run bench -- --browser, and --gpu):
 * bundles the page (bundle.ts), serves the repository root with cross-origin
 * isolation (browser/server.ts), launches headless Chromium
 * (browser/chromium.ts) and calls the page (page.ts) once per row through
 * page.evaluate, each call within the row's budget. A row past its budget (a
 * WebGL or WebGPU shader compile that does not return, say) is reported as
 * timed out; the browser is closed and a fresh one opened for the rows left.
 *
 * --browser also runs shapegrad's wasm rows of each workload in Node in the
 * same run (the Node bench's own path, handed in as `nodeRows`), for the
 * Chromium/Node ratio. --gpu first runs every golden file through the
 * conformance runner on webgpu and webgl2-native, then the GPU rows, in a
 * Chromium on the GPU's Vulkan driver; it refuses a SwiftShader or other CPU
 * adapter unless --allow-swiftshader is given.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from '../../browser/chromium.js';
import { serveStatic, type StaticServer } from '../../browser/server.js';
import type { Options } from '../args.js';
import { timedOutRow, type BenchRow } from '../harness.js';
import type { WorkloadName } from '../jobs.js';
import { BENCH_PAGE_DIR, bundleBenchPage, repoRoot } from './bundle.js';
import type { BenchPage, BenchPageEnv, ConformanceResult } from './page.js';
import { adapterString, assembleRows, cpuDevice, targets, type BrowserBenchRow, type Target } from './rows.js';

export { adapterString, cpuDevice };
import { BROWSER_ROWS, GPU_ROWS, NODE_BACKENDS, browserWorkloads, type BrowserWorkload, type PageRowRequest, type PageRowResult, type RowSpec } from './spec.js';

/** Without --budget, each browser row gets this long (s): SwiftShader's first calls compile many shaders. */
export const DEFAULT_BROWSER_BUDGET_S = 180;

type Fn = { [K in keyof BenchPage]: BenchPage[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => Promise<R> : never };

export interface BrowserRun {
  readonly rows: BrowserBenchRow[];
  readonly errors: string[];
  readonly targets: Target[];
  readonly env: BenchPageEnv | null;
  readonly browserVersion: string;
  /** Browsers launched (1 + one after each timed-out row). */
  readonly launches: number;
  readonly conformance?: { readonly passed: number; readonly failed: number; readonly ms: number };
}

function rendererFor(spec: RowSpec, env: BenchPageEnv | null): string {
  if (env === null || spec.device === 'cpu') return '';
  if (spec.device === 'webgl') return env.webgl2 ? env.webgl2.renderer : 'no WebGL2';
  return `WebGPU ${adapterString(env)}`;
}

const TIMEOUT = Symbol('timeout');

/** The promise, or TIMEOUT after ms (the promise's later rejection is swallowed). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => {});
  try {
    return await Promise.race([p, new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Chromium with the bench page open; replaced by a fresh one after a row times out. */
class Session {
  browser: Browser | undefined;
  page: Page | undefined;
  phase = '';
  launches = 0;
  version = '';

  constructor(
    private readonly server: StaticServer,
    private readonly vulkan: 'swiftshader' | 'gpu',
    private readonly progress: (s: string) => void,
  ) {}

  async open(): Promise<Page> {
    if (this.page) return this.page;
    this.browser = await launchChromium({ vulkan: this.vulkan });
    this.launches++;
    this.version = this.browser.version();
    const page = await this.browser.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[bench-phase] ')) this.phase = text.slice('[bench-phase] '.length);
      else if (text.startsWith('[bench] ')) this.progress(`  (chromium) ${text.slice('[bench] '.length).trimStart()}`);
      // Not shown: ANGLE's performance notes (ReadPixels stalls) and the missing favicon.
      else if (/GL Driver Message|Failed to load resource: .*404/.test(text)) return;
      else if (m.type() === 'error' || m.type() === 'warning') this.progress(`  [page ${m.type()}] ${text.split('\n')[0]!.slice(0, 300)}`);
    });
    page.on('pageerror', (e) => this.progress(`  [page error] ${e.message}`));
    await page.goto(`${this.server.url}${BENCH_PAGE_DIR}/index.html`);
    await page.waitForFunction(() => 'shapegradBench' in globalThis, undefined, { timeout: 60000 });
    this.page = page;
    return page;
  }

  /** Call a page function within ms; TIMEOUT closes this browser (the next call opens a fresh one). */
  async call<K extends keyof BenchPage>(ms: number, name: K, ...args: Parameters<Fn[K]>): Promise<Awaited<ReturnType<Fn[K]>> | typeof TIMEOUT> {
    const page = await this.open();
    this.phase = '';
    const p = page.evaluate(
      ([n, a]) => {
        const s = (globalThis as unknown as { shapegradBench: Record<string, (...x: unknown[]) => Promise<unknown>> }).shapegradBench;
        return s[n as string]!(...(a as unknown[]));
      },
      [name, args] as const,
    ) as Promise<Awaited<ReturnType<Fn[K]>>>;
    const r = await within(p, ms);
    if (r === TIMEOUT) await this.close();
    return r;
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    this.page = undefined;
    if (b) await within(b.close(), 15000);
  }
}

export interface BrowserBenchDeps {
  readonly progress: (s: string) => void;
  /** shapegrad's rows of one workload in Node (the Node bench's child processes), restricted to these backends. */
  readonly nodeRows?: (name: WorkloadName, backends: readonly string[]) => Promise<{ rows: BenchRow[]; errors: string[] }>;
}

/** --browser (mode 'browser') or --gpu (mode 'gpu'). */
export async function runBrowserBench(opts: Options, mode: 'browser' | 'gpu', deps: BrowserBenchDeps): Promise<BrowserRun | { refused: string; env: BenchPageEnv; browserVersion: string }> {
  const { progress } = deps;
  const found = findChromium();
  if (found.path === null) throw new Error(`the browser bench needs Chromium: ${found.reason}`);
  const budgetS = opts.budgetGiven ? opts.budgetS : DEFAULT_BROWSER_BUDGET_S;
  const budgetMs = budgetS * 1000;
  const b = await bundleBenchPage();
  progress(`page bundled in ${(b.ms / 1000).toFixed(1)} s (${(b.bytes / 2 ** 20).toFixed(1)} MB) into ${BENCH_PAGE_DIR}/`);
  const server = await serveStatic(repoRoot);
  const vulkan = mode === 'gpu' ? 'gpu' : 'swiftshader';
  const session = new Session(server, vulkan, progress);
  const errors: string[] = [];
  const chromium: { row: BenchRow; renderer: string }[] = [];
  const node: BenchRow[] = [];
  try {
    const e0 = await session.call(budgetMs, 'env');
    if (e0 === TIMEOUT) throw new Error(`the page did not load its libraries within ${budgetS} s`);
    const env = e0;
    progress(`${found.path} ${session.version} (headless, Vulkan: ${vulkan}); page ${server.url}${BENCH_PAGE_DIR}/index.html`);
    progress(`  crossOriginIsolated ${env.crossOriginIsolated}, hardwareConcurrency ${env.hardwareConcurrency}; gpu.js backends: ${env.gpujsBackends.join(', ')}`);
    progress(`  WebGL2 renderer: ${env.webgl2 ? `${env.webgl2.renderer} (vendor ${env.webgl2.vendor})` : 'none'}`);
    progress(`  WebGPU adapter: ${adapterString(env)}`);
    progress(`  TensorFlow.js ${env.tfjs.version}: ${env.tfjs.backends.map((x) => `${x.name} (${x.detail})`).join(', ') || 'no backend'}${env.tfjs.error ? `; ${env.tfjs.error}` : ''}`);
    progress(`  jax-js devices: ${env.jax.devices.join(', ') || 'none'}${env.jax.threaded ? ' (wasm multi-threaded: Worker and SharedArrayBuffer)' : ''}${env.jax.error ? `; ${env.jax.error}` : ''}`);
    if (!env.crossOriginIsolated) throw new Error('the page is not cross-origin isolated: shapegrad cannot run on 2 threads there');

    let conformance: BrowserRun['conformance'];
    if (mode === 'gpu') {
      const cpu = cpuDevice(env);
      if (cpu !== null && !opts.allowSwiftshader) return { refused: cpu, env, browserVersion: session.version };
      if (cpu !== null) progress(`  --allow-swiftshader: going on with ${cpu} (these numbers say nothing about a GPU)`);
      conformance = await runConformance(session, budgetMs, progress, errors);
    }

    const specs = (mode === 'gpu' ? GPU_ROWS : BROWSER_ROWS).filter((s) => opts.impls.includes(s.impl) && (opts.backends === null || opts.backends.includes(s.backend)));
    const nodeBackends = NODE_BACKENDS.filter((b) => opts.backends === null || opts.backends.includes(b));
    for (const name of opts.only) {
      if (mode === 'browser' && deps.nodeRows && opts.impls.includes('shapegrad') && nodeBackends.length > 0) {
        progress(`${name}: shapegrad ${nodeBackends.join(', ')} in Node (the Node bench's child process), for the Chromium/Node ratio`);
        const r = await deps.nodeRows(name, nodeBackends);
        node.push(...r.rows);
        errors.push(...r.errors);
      }
      for (const workload of browserWorkloads(name)) {
        progress(`${workload} in Chromium:`);
        const o = await session.call(budgetMs, 'oracle', workload);
        if (o === TIMEOUT) {
          errors.push(`${workload}: the oracle (shapegrad/wasm-1t's first call in Chromium) did not finish within ${budgetS} s; no row of this workload ran`);
          continue;
        }
        progress(`  oracle: shapegrad/wasm-1t's first call in Chromium, loss ${o.loss} (${o.ms.toFixed(0)} ms)`);
        for (const spec of specs) {
          const req: PageRowRequest = { workload, impl: spec.impl, backend: spec.backend, quick: opts.quick, budgetMs };
          let r: PageRowResult | typeof TIMEOUT;
          try {
            r = await session.call(budgetMs, 'row', req);
          } catch (e) {
            // The page itself failed (a crash of its renderer process): a fresh browser for the rows left.
            errors.push(`${workload}: ${spec.impl}/${spec.backend} (chromium) failed: ${(e as Error).message.split('\n')[0]}`);
            progress(`  ${`${spec.impl}/${spec.backend}`.padEnd(22)} ERROR ${(e as Error).message.split('\n')[0]}`);
            await session.close();
            continue;
          }
          if (r === TIMEOUT) {
            const phase = session.phase;
            chromium.push({ row: timedOutRow({ workload, impl: spec.impl, backend: spec.backend }, budgetS, phase), renderer: rendererFor(spec, env) });
            progress(`  ${`${spec.impl}/${spec.backend}`.padEnd(22)} TIMED OUT after ${budgetS} s${phase ? ` in the ${phase}` : ''}: the browser was closed; the rows left run in a fresh one`);
            const again = await session.call(budgetMs, 'oracle', workload);
            if (again === TIMEOUT) {
              errors.push(`${workload}: the oracle did not finish within ${budgetS} s in a fresh browser`);
              break;
            }
          } else if (r.kind === 'error') errors.push(`${r.message} (chromium)`);
          else chromium.push({ row: r.row, renderer: rendererFor(spec, env) });
        }
      }
    }
    const rows = assembleRows(chromium, node);
    return { rows, errors, targets: mode === 'browser' ? targets(rows) : [], env, browserVersion: session.version, launches: session.launches, ...(conformance ? { conformance } : {}) };
  } finally {
    await session.close();
    await server.close();
  }
}

/** The backends --gpu checks every golden file on before timing them. */
const GPU_CONFORMANCE_BACKENDS = ['webgpu', 'webgl2-native'] as const;

/** Every golden file through shapegrad's conformance runner on each GPU backend, in the page. */
async function runConformance(session: Session, budgetMs: number, progress: (s: string) => void, errors: string[]): Promise<NonNullable<BrowserRun['conformance']>> {
  const dir = join(repoRoot, 'test/fixtures/golden');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const t0 = performance.now();
  let passed = 0;
  let failed = 0;
  for (const backend of GPU_CONFORMANCE_BACKENDS) {
    progress(`conformance on ${backend}: ${files.length} golden files (test/fixtures/golden)`);
    for (const file of files) {
      const component = file.replace(/\.json$/, '');
      let r: ConformanceResult | typeof TIMEOUT;
      try {
        r = await session.call(budgetMs, 'conformance', `/test/fixtures/golden/${file}`, component, backend);
      } catch (e) {
        r = { component, ok: false, lines: [`failed: ${(e as Error).message.split('\n')[0]}`], ran: null, ms: 0 };
        await session.close();
      }
      if (r === TIMEOUT) {
        failed++;
        errors.push(`conformance ${component} on ${backend}: timed out after ${budgetMs / 1000} s`);
        progress(`  FAIL ${component}: timed out`);
        continue;
      }
      const ranOk = r.ran?.backend === backend;
      if (r.ok && ranOk) {
        passed++;
        progress(`  pass ${component} (${r.ms.toFixed(0)} ms, ${r.ran!.executorKind})`);
      } else {
        failed++;
        const why = !r.ok ? r.lines.filter((l) => !l.startsWith('PASS')).slice(0, 5).join(' | ') : `asked for ${backend}, ran ${JSON.stringify(r.ran)}`;
        errors.push(`conformance ${component} on ${backend}: ${why}`);
        progress(`  FAIL ${component}: ${why}`);
      }
    }
  }
  const ms = performance.now() - t0;
  progress(`conformance: ${passed} passed, ${failed} failed (${GPU_CONFORMANCE_BACKENDS.join(', ')}), in ${(ms / 1000).toFixed(1)} s`);
  return { passed, failed, ms };
}
