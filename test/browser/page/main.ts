/**
 * The browser suite's page: bundled with esbuild (test/browser/bundle.ts) and
 * driven from Node by test/browser/suite.browser.ts, whose mocha tests each call
 * one of these functions in the page (globalThis.shapegradSuite) and check what
 * it returns. Everything throws on a failure with a message that says what
 * differed; what ran (lastRun()) is returned so the Node side can assert it.
 */
import fc from 'fast-check';
import * as sg from '../../../src/index.js';
import { allPassed, checkGolden, formatReport } from '../../../src/testing/index.js';
import { assertClose, build, dataOf, shape, stepArb, type T } from '../../support/random-programs.js';
import { checkWasm, type WasmCheck } from './wasm-checks.js';
import { browser, webglRenderer, webgpuAdapter, type GpuAdapterInfo } from './dom.js';
import type { WorkerRequest } from './worker.js';

export interface PageEnv {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: boolean;
  readonly atomicsWaitAsync: boolean;
  readonly hardwareConcurrency: number;
  readonly webgl2: { renderer: string; vendor: string } | null;
  readonly webgl: { renderer: string; vendor: string } | null;
  readonly webgpu: GpuAdapterInfo | null;
  /** What gpu.js reports available here. */
  readonly gpujsBackends: readonly string[];
}

async function env(): Promise<PageEnv> {
  return {
    userAgent: browser.navigator.userAgent,
    crossOriginIsolated: browser.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    atomicsWaitAsync: typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function',
    hardwareConcurrency: browser.navigator.hardwareConcurrency ?? 0,
    webgl2: webglRenderer('webgl2'),
    webgl: webglRenderer('webgl'),
    webgpu: await webgpuAdapter(),
    gpujsBackends: sg.availableBackends(),
  };
}

export interface RanInfo {
  readonly backend: string;
  readonly executorKind: string;
  readonly fallbackReason: string | null;
}

export interface ConformanceResult {
  readonly component: string;
  readonly ok: boolean;
  /** One line per tensor (formatReport). */
  readonly lines: readonly string[];
  readonly ran: RanInfo | null;
  readonly ms: number;
}

/** One golden file (fetched from the server) through the conformance runner on a backend. */
async function conformance(goldenUrl: string, component: string, backend: sg.Backend): Promise<ConformanceResult> {
  const t0 = performance.now();
  const response = await fetch(goldenUrl);
  if (!response.ok) throw new Error(`${goldenUrl}: HTTP ${response.status}`);
  const report = await checkGolden(component, await response.json(), goldenUrl, { backend });
  const ran = report.ran ?? null;
  return { component, ok: allPassed([report]), lines: formatReport(report), ran: ran && { backend: ran.backend, executorKind: ran.executorKind, fallbackReason: ran.fallbackReason }, ms: performance.now() - t0 };
}

export interface PropertyResult {
  readonly runs: number;
  /** Every backend and executor lastRun() reported, with how many runs each. */
  readonly ran: Readonly<Record<string, number>>;
  readonly ms: number;
}

const sizes = { A: 2, B: 3, C: 4 };

/**
 * The random-program property of test/compile/random-programs.test.ts (the same generator and
 * tolerance), on one backend: values, or gradients of a weighted sum.
 */
async function randomPrograms(backend: sg.Backend, what: 'values' | 'gradients', runs: number, seed: number): Promise<PropertyResult> {
  const t0 = performance.now();
  const dataArb = dataOf(24);
  const ran: Record<string, number> = {};
  const note = (info: sg.ExecutionInfo | undefined) => {
    if (info === undefined) throw new Error(`${backend}: lastRun() is undefined after a run`);
    if (info.backend !== backend) throw new Error(`${backend} was asked for but ${info.backend} ran (${info.fallbackReason ?? 'no reason given'})`);
    if (info.pipelineCalls !== 1) throw new Error(`${backend}: ${info.pipelineCalls} pipeline calls for one run`);
    const key = `${info.backend} (${info.executorKind})`;
    ran[key] = (ran[key] ?? 0) + 1;
  };
  const r = sg.fromArray(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [...shape], sizes, { name: 'R' });
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: what === 'values' ? 6 : 5 }), dataArb, dataArb, async (steps, d1, d2) => {
      const program =
        what === 'values'
          ? sg.trace((x: T, y: T) => build(steps, [x, y]), sg.spec([...shape], sizes, 'x'), sg.spec([...shape], sizes, 'y'))
          : sg.trace(
              (x: T, y: T) => sg.grad((xy: [T, T]) => sg.sum(sg.mul(build(steps, xy)[0]!, r)))([x, y]),
              sg.spec([...shape], sizes, 'x'),
              sg.spec([...shape], sizes, 'y'),
            );
      const compiled = sg.compile(program, { backend });
      try {
        const got = (await compiled.run(d1, d2)) as sg.NDArray[];
        const want = sg.run(program, d1, d2) as sg.NDArray[];
        want.forEach((w, i) => assertClose(backend, `${what === 'values' ? 'output' : 'gradient'} ${i}`, got[i]!.data, w.data));
        note(compiled.lastRun());
      } finally {
        compiled.destroy();
      }
    }),
    { numRuns: runs, seed },
  );
  return { runs, ran, ms: performance.now() - t0 };
}

export interface ContractionResult extends PropertyResult {
  /** Shaders that were row-tiled (four outputs per fragment), over all the programs. */
  readonly tiledShaders: number;
  readonly shaders: number;
}

/**
 * Contractions of random sizes, values and gradients, against the float64 reference: the shapes
 * that make webgl2-native share fetches (rows and columns multiples of 4, row tiling, 49-like
 * token counts) and those that do not (padding lanes, odd rows).
 */
async function contractions(backend: sg.Backend, runs: number, seed: number): Promise<ContractionResult> {
  const t0 = performance.now();
  const ran: Record<string, number> = {};
  let tiledShaders = 0;
  let shaders = 0;
  const size = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(4, 8, 12, 16));
  const values = (n: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n });
  const dims = fc.record({ b: fc.integer({ min: 1, max: 3 }), n: size, k: size, j: size });
  await fc.assert(
    fc.asyncProperty(
      dims.chain((d) => fc.tuple(fc.constant(d), values(d.b * d.n * d.k), values(d.k * d.j))),
      async ([d, xs, ws]) => {
        const sizes = { B: d.b, N: d.n, K: d.k, J: d.j };
        type X = sg.Tensor<['B', 'N', 'K']>;
        type W = sg.Tensor<['K', 'J']>;
        const program = sg.trace(
          (x: X, w: W) => {
            const loss = (p: [X, W]) => {
              const y = sg.einsum('B N K, K J -> B N J', p[0], p[1]);
              return sg.sum(sg.mul(y, sg.tanh(y)));
            };
            return [sg.einsum('B N K, K J -> B N J', x, w), ...sg.grad(loss)([x, w])];
          },
          sg.spec(['B', 'N', 'K'], sizes, 'x'),
          sg.spec(['K', 'J'], sizes, 'w'),
        );
        const x = Float64Array.from(xs);
        const w = Float64Array.from(ws);
        const compiled = sg.compile(program, { backend });
        try {
          const got = (await compiled.run(x, w)) as unknown as sg.NDArray[];
          const want = sg.run(program, x, w) as unknown as sg.NDArray[];
          ['y', 'dx', 'dw'].forEach((name, i) => assertClose(backend, `${name} (B ${d.b}, N ${d.n}, K ${d.k}, J ${d.j})`, got[i]!.data, want[i]!.data));
          const info = compiled.lastRun();
          if (info?.backend !== backend) throw new Error(`${backend} was asked for but ${info?.backend} ran`);
          ran[`${info.backend} (${info.executorKind})`] = (ran[`${info.backend} (${info.executorKind})`] ?? 0) + 1;
          shaders += compiled.sources.length;
          tiledShaders += compiled.sources.filter((s) => s.includes('out vec4 result3;')).length;
        } finally {
          compiled.destroy();
        }
      },
    ),
    { numRuns: runs, seed },
  );
  return { runs, ran, ms: performance.now() - t0, tiledShaders, shaders };
}

/** The native backend's checks on this page's main thread. */
function wasmMain(request: WorkerRequest): Promise<WasmCheck> {
  return checkWasm('main thread', request);
}

/** The same checks in a dedicated Worker (a module worker bundled beside this page as suite-worker.js). */
function wasmWorker(request: WorkerRequest): Promise<WasmCheck> {
  return new Promise((resolve, reject) => {
    const worker = new browser.Worker(new URL('./suite-worker.js', import.meta.url), { type: 'module' });
    const done = (f: () => void) => {
      worker.terminate();
      f();
    };
    worker.onerror = (e) => done(() => reject(new Error(`the dedicated worker failed: ${e.message ?? 'no message (did its script load?)'}`)));
    worker.onmessage = (e) => {
      const m = e.data as { ready?: true; ok?: boolean; result?: WasmCheck; error?: string };
      if (m.ready) worker.postMessage(request);
      else if (m.ok) done(() => resolve(m.result!));
      else done(() => reject(new Error(`in the dedicated worker: ${m.error}`)));
    };
  });
}

export const suite = { env, conformance, randomPrograms, contractions, wasmMain, wasmWorker };
export type Suite = typeof suite;
(globalThis as unknown as { shapegradSuite: Suite }).shapegradSuite = suite;
