/**
 * The browser bench's page (npm run bench -- --browser): bundled by esbuild
 * (bench/browser/bundle.ts) with TensorFlow.js 4.22 (webgl, wasm, webgpu
 * backends) and jax-js (wasm, webgpu devices), and driven from Node by
 * bench/browser/run.ts, which calls the functions this page puts on
 * globalThis.shapegradBench, one row per call, each within its time budget.
 *
 * The workloads and candidates are the Node bench's own (bench/workloads):
 * the same programs, data, peers' code and checks. The oracle of a workload is
 * shapegrad's native wasm backend on one thread, run in this page (its first
 * call, untimed); every row, shapegrad's included, is checked against it
 * before it is timed, and a disagreement is an error, never a row.
 *
 * Progress goes to the console: '[bench-phase] NAME' when a row moves on (so
 * that Node knows where a row was if it hangs), '[bench] ...' lines otherwise.
 */
import * as sg from '../../src/index.js';
import { allPassed, checkGolden, formatReport } from '../../src/testing/index.js';
import * as tfAll from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import * as jaxAll from '@jax-js/jax';
import { browser, webglRenderer, webgpuAdapter, type GpuAdapterInfo } from '../../test/browser/page/dom.js';
import type { TimingPlan } from '../common.js';
import type { WorkloadName } from '../jobs.js';
import { gpuPlans, nodePlans } from '../plans.js';
import { nativeBackend, runCandidate, type Candidate, type Oracle, type Row, type ShapegradBackend } from '../harness.js';
import type { JaxDevice, JaxPeer, TfBackend, TfPeer } from '../peers.js';
import { jaxMatmul, matmulData, shapegradMatmul, tfMatmul, type MatmulData } from '../workloads/matmul.js';
import { dinoData, jaxDino, shapegradDino, tfDino, type DinoData } from '../workloads/dino.js';
import { jaxXcit, shapegradXcit, tfXcit, xcitData, type XcitData } from '../workloads/xcit.js';
import { BROWSER_WORKLOADS, type BrowserWorkload, type PageRowRequest, type PageRowResult } from './spec.js';

const tf = tfAll as unknown as TfPeer['tf'];
const jax = jaxAll as unknown as JaxPeer['jax'];

const say = (s: string) => console.info(`[bench] ${s}`);

/** The Node bench's plans for rows on the CPU (wasm), fewer calls for rows on WebGL or WebGPU (bench/plans.ts). */
export function browserPlan(w: BrowserWorkload, device: 'cpu' | 'gpu', quick: boolean): TimingPlan {
  const name: WorkloadName = w.startsWith('matmul') ? 'matmul' : w === 'xcit train step' ? 'xcit' : 'dino';
  return (device === 'cpu' ? nodePlans(quick) : gpuPlans(quick))[name];
}

// ---- peers -----------------------------------------------------------------

interface Loaded {
  readonly tf: TfPeer | null;
  readonly tfError: string | null;
  readonly jax: JaxPeer | null;
  readonly jaxError: string | null;
}

let loaded: Promise<Loaded> | undefined;

/** TensorFlow.js with its wasm backend's files beside this bundle; jax-js with every device it finds. */
function loadPeers(): Promise<Loaded> {
  loaded ??= (async () => {
    let tfPeer: TfPeer | null = null;
    let tfError: string | null = null;
    try {
      tfWasm.setWasmPaths(new URL('./', import.meta.url).href);
      const backends: { name: TfBackend; detail: string }[] = [];
      const failed: string[] = [];
      for (const name of ['webgl', 'wasm', 'webgpu'] as const) {
        try {
          if (!(await tf.setBackend(name))) throw new Error(`setBackend('${name}') returned false`);
          await tf.ready();
          let detail = '';
          if (name === 'wasm') {
            const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
            const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
            detail = `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? `${tfWasm.getThreadsCount()} thread${tfWasm.getThreadsCount() === 1 ? '' : 's'}` : '1 thread'}`;
          } else if (name === 'webgl') detail = `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
          else detail = 'WebGPU';
          backends.push({ name, detail });
        } catch (e) {
          failed.push(`${name}: ${(e as Error).message}`);
        }
      }
      if (failed.length > 0) tfError = `TensorFlow.js backends not available: ${failed.join('; ')}`;
      tfPeer = {
        tf,
        backends,
        async use(name) {
          if (tf.getBackend() !== name) {
            if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js: setBackend('${name}') failed`);
            await tf.ready();
          }
        },
      };
    } catch (e) {
      tfError = `TensorFlow.js did not load: ${(e as Error).message}`;
    }
    let jaxPeer: JaxPeer | null = null;
    let jaxError: string | null = null;
    try {
      const devices = await jax.init('wasm', 'webgpu');
      jaxPeer = { jax, devices, threaded: typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined' };
    } catch (e) {
      jaxError = `jax-js did not load: ${(e as Error).message}`;
    }
    return { tf: tfPeer, tfError, jax: jaxPeer, jaxError };
  })();
  return loaded;
}

// ---- environment -----------------------------------------------------------

export interface BenchPageEnv {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  readonly webgl2: { renderer: string; vendor: string } | null;
  readonly webgpu: (GpuAdapterInfo & { isFallbackAdapter?: boolean }) | null;
  readonly gpujsBackends: readonly string[];
  readonly tfjs: { readonly version: string; readonly backends: readonly { name: string; detail: string }[]; readonly error: string | null };
  readonly jax: { readonly devices: readonly string[]; readonly threaded: boolean; readonly error: string | null };
}

async function env(): Promise<BenchPageEnv> {
  const peers = await loadPeers();
  const adapter = await webgpuAdapter();
  const raw = (await browser.navigator.gpu?.requestAdapter()) as { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } } | null | undefined;
  const fallback = raw?.info?.isFallbackAdapter ?? raw?.isFallbackAdapter;
  return {
    userAgent: browser.navigator.userAgent,
    crossOriginIsolated: browser.crossOriginIsolated === true,
    hardwareConcurrency: browser.navigator.hardwareConcurrency ?? 0,
    webgl2: webglRenderer('webgl2'),
    webgpu: adapter && (fallback === undefined ? adapter : { ...adapter, isFallbackAdapter: fallback }),
    gpujsBackends: sg.availableBackends(),
    tfjs: { version: tf.version.tfjs, backends: peers.tf?.backends ?? [], error: peers.tfError },
    jax: { devices: peers.jax?.devices ?? [], threaded: peers.jax?.threaded ?? false, error: peers.jaxError },
  };
}

// ---- rows ------------------------------------------------------------------

const data: Partial<Record<BrowserWorkload, MatmulData | XcitData | DinoData>> = {};

function dataOf(w: BrowserWorkload): MatmulData | XcitData | DinoData {
  data[w] ??= w === 'matmul 128' ? matmulData(128) : w === 'matmul 512' ? matmulData(512) : w === 'xcit train step' ? xcitData() : dinoData();
  return data[w]!;
}

function candidate(w: BrowserWorkload, impl: string, backend: string, peers: Loaded): Candidate {
  const d = dataOf(w);
  if (impl === 'shapegrad') {
    const b = backend as ShapegradBackend;
    return w.startsWith('matmul') ? shapegradMatmul(d as MatmulData, b) : w === 'xcit train step' ? shapegradXcit(d as XcitData, b) : shapegradDino(d as DinoData, b);
  }
  if (impl === 'tfjs') {
    const peer = peers.tf;
    const info = peer?.backends.find((x) => x.name === backend);
    if (!peer || !info) throw new Error(`TensorFlow.js backend ${backend} is not available here${peers.tfError ? ` (${peers.tfError})` : ''}`);
    const b = backend as TfBackend;
    return w.startsWith('matmul') ? tfMatmul(d as MatmulData, peer, b, info.detail) : w === 'xcit train step' ? tfXcit(d as XcitData, peer, b, info.detail) : tfDino(d as DinoData, peer, b, info.detail);
  }
  if (impl === 'jax-js') {
    const peer = peers.jax;
    if (!peer || !peer.devices.includes(backend as JaxDevice)) throw new Error(`jax-js device ${backend} is not available here${peers.jaxError ? ` (${peers.jaxError})` : ` (devices: ${peer?.devices.join(', ')})`}`);
    const detail = backend === 'wasm' ? (peer.threaded ? 'multi-threaded' : '1 thread') : 'WebGPU';
    const dev = backend as JaxDevice;
    return w.startsWith('matmul') ? jaxMatmul(d as MatmulData, peer, detail, dev) : w === 'xcit train step' ? jaxXcit(d as XcitData, peer, detail, dev) : jaxDino(d as DinoData, peer, detail, dev);
  }
  throw new Error(`unknown implementation ${impl}`);
}

/** The oracle of each workload in this page: shapegrad's native backend on one thread (its first call). */
const oracles: Partial<Record<BrowserWorkload, Oracle>> = {};
export const ORACLE_NAME = 'shapegrad/wasm-1t (chromium)';

/** Compute the workload's oracle if this page has none yet; returns its loss and how long it took. */
async function oracle(w: BrowserWorkload): Promise<{ loss: number; ms: number }> {
  const t0 = performance.now();
  if (oracles[w] === undefined) {
    const c = candidate(w, 'shapegrad', nativeBackend(1), await loadPeers());
    const p = await c.prepare();
    try {
      oracles[w] = { name: ORACLE_NAME, output: await p.first() };
    } finally {
      p.dispose();
    }
  }
  return { loss: oracles[w]!.output.loss, ms: performance.now() - t0 };
}

/** One row: prepare, first call checked against the oracle, then timed, all within budgetMs (repetitions stop short of it). */
async function row(req: PageRowRequest): Promise<PageRowResult> {
  const peers = await loadPeers();
  const w = req.workload;
  if (!BROWSER_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`);
  const deadline = performance.now() + req.budgetMs * 0.9;
  await oracle(w);
  let c: Candidate;
  try {
    c = candidate(w, req.impl, req.backend, peers);
  } catch (e) {
    return { kind: 'error', message: `${w}: ${req.impl}/${req.backend}: ${(e as Error).message}` };
  }
  const onGpu = req.backend === 'webgl2' || req.backend === 'webgl2-native' || req.backend === 'webgl' || req.backend === 'webgpu';
  const plan = { ...browserPlan(w, onGpu ? 'gpu' : 'cpu', req.quick), ...c.plan };
  const r = await runCandidate(w, c, plan, say, oracles[w], undefined, {
    phase: (p) => console.debug(`[bench-phase] ${p}`),
    deadline,
  });
  // Let the backends free what the row made before the next one (WebGL textures, WebGPU buffers).
  if ('error' in r) return { kind: 'error', message: r.error };
  return { kind: 'row', row: r.row satisfies Row };
}

// ---- conformance (--gpu) ---------------------------------------------------

export interface ConformanceResult {
  readonly component: string;
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly ran: { backend: string; executorKind: string; fallbackReason: string | null } | null;
  readonly ms: number;
}

/** One golden file (fetched from the server) through shapegrad's conformance runner on a backend. */
async function conformance(goldenUrl: string, component: string, backend: sg.Backend): Promise<ConformanceResult> {
  const t0 = performance.now();
  const response = await fetch(goldenUrl);
  if (!response.ok) throw new Error(`${goldenUrl}: HTTP ${response.status}`);
  const report = await checkGolden(component, await response.json(), goldenUrl, { backend });
  const ran = report.ran ?? null;
  return {
    component,
    ok: allPassed([report]),
    lines: formatReport(report),
    ran: ran && { backend: ran.backend, executorKind: ran.executorKind, fallbackReason: ran.fallbackReason },
    ms: performance.now() - t0,
  };
}

export const benchPage = { env, oracle, row, conformance };
export type BenchPage = typeof benchPage;
(globalThis as unknown as { shapegradBench: BenchPage }).shapegradBench = benchPage;
