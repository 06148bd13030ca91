/**
 * The browser bench's rows and targets, pure (tested in test/bench): the
 * Chromium rows with where they ran and on what (the WebGL renderer or WebGPU
 * adapter), shapegrad's Node rows of the same run beside them, the ratios
 * within each (workload, where), the Chromium/Node ratio of shapegrad's wasm
 * rows, and the two targets of issue 12 measured from them.
 */
import { addRatios, peerName, type BenchRow } from '../harness.js';
import type { BenchPageEnv } from './page.js';

export type Where = 'chromium' | 'node';

/** A bench row (harness.ts) with where it ran; the JSON of --browser is an array of these. */
export type BrowserBenchRow = BenchRow & {
  readonly where: Where;
  /** The WebGL renderer or WebGPU adapter the row ran on ('' for rows on the CPU: wasm, Node). */
  readonly renderer: string;
  /** Chromium rows of shapegrad's wasm backend: this median / the same backend's median in Node (same run); else null. */
  chromium_over_node: number | null;
};

/** Chromium rows (in the order they ran) and Node rows, grouped by workload (first appearance), Chromium first; ratios added. */
export function assembleRows(chromium: readonly { row: BenchRow; renderer: string }[], node: readonly BenchRow[]): BrowserBenchRow[] {
  const all: BrowserBenchRow[] = [
    ...chromium.map((c) => ({ ...c.row, where: 'chromium' as const, renderer: c.renderer, chromium_over_node: null })),
    ...node.map((r) => ({ ...r, where: 'node' as const, renderer: '', chromium_over_node: null })),
  ];
  const workloads = [...new Set(all.map((r) => r.workload))];
  const out: BrowserBenchRow[] = [];
  for (const w of workloads) {
    for (const where of ['chromium', 'node'] as const) {
      const group = all.filter((r) => r.workload === w && r.where === where);
      addRatios(group);
      out.push(...group);
    }
  }
  for (const r of out) {
    if (r.where !== 'chromium' || r.status !== 'ok' || r.impl !== 'shapegrad' || !/^wasm-\d+t$/.test(r.backend)) continue;
    const n = out.find((x) => x.where === 'node' && x.workload === r.workload && peerName(x) === peerName(r));
    if (n !== undefined && n.status === 'ok') r.chromium_over_node = r.median_ms / n.median_ms;
  }
  return out;
}

export interface Target {
  readonly name: string;
  /** The measured ratio (ours / theirs), or null when one side has no median. */
  readonly ratio: number | null;
  /** Met when ratio <= limit (Chromium/Node) or < limit (faster than the peer). */
  readonly limit: number;
  /** null: not measured (a row is missing, failed, or both timed out). */
  readonly met: boolean | null;
  readonly note: string;
}

/** Limit of the Chromium/Node ratio of shapegrad's wasm rows. */
export const CHROMIUM_OVER_NODE_LIMIT = 1.3;

/**
 * Issue 12's two targets: shapegrad's wasm rows in Chromium within 1.3x of the
 * same rows in Node; the xcit step on shapegrad's webgl2 and webgpu faster than
 * TensorFlow.js's webgl and webgpu backends.
 */
export function targets(rows: readonly BrowserBenchRow[]): Target[] {
  const out: Target[] = [];
  const find = (where: Where, workload: string, impl: string, backend: string) => rows.find((r) => r.where === where && r.workload === workload && r.impl === impl && r.backend === backend);
  for (const w of [...new Set(rows.map((r) => r.workload))]) {
    for (const backend of ['wasm-1t', 'wasm-2t']) {
      const c = find('chromium', w, 'shapegrad', backend);
      const n = find('node', w, 'shapegrad', backend);
      if (c === undefined && n === undefined) continue;
      const name = `${w}: shapegrad/${backend} Chromium/Node <= ${CHROMIUM_OVER_NODE_LIMIT}`;
      if (c?.status === 'ok' && n?.status === 'ok') {
        const ratio = c.median_ms / n.median_ms;
        out.push({ name, ratio, limit: CHROMIUM_OVER_NODE_LIMIT, met: ratio <= CHROMIUM_OVER_NODE_LIMIT, note: `${c.median_ms.toPrecision(3)} ms in Chromium, ${n.median_ms.toPrecision(3)} ms in Node` });
      } else out.push({ name, ratio: null, limit: CHROMIUM_OVER_NODE_LIMIT, met: null, note: `not measured: Chromium ${c?.status ?? 'no row'}, Node ${n?.status ?? 'no row'}` });
    }
  }
  const xcit = 'xcit train step';
  for (const [ours, theirs] of [['webgl2', 'webgl'], ['webgl2-native', 'webgl'], ['webgpu', 'webgpu']] as const) {
    const s = find('chromium', xcit, 'shapegrad', ours);
    const t = find('chromium', xcit, 'tfjs', theirs);
    if (s === undefined && t === undefined) continue;
    const name = `${xcit}: shapegrad/${ours} faster than tfjs/${theirs}`;
    if (s?.status === 'ok' && t?.status === 'ok') {
      const ratio = s.median_ms / t.median_ms;
      out.push({ name, ratio, limit: 1, met: ratio < 1, note: `${s.median_ms.toPrecision(3)} ms against ${t.median_ms.toPrecision(3)} ms` });
    } else if (s?.status === 'ok' && t?.status === 'timed out') {
      out.push({ name, ratio: null, limit: 1, met: true, note: `tfjs/${theirs} timed out; shapegrad took ${s.median_ms.toPrecision(3)} ms` });
    } else if (s?.status === 'timed out' && t?.status === 'ok') {
      out.push({ name, ratio: null, limit: 1, met: false, note: `shapegrad/${ours} timed out; tfjs took ${t.median_ms.toPrecision(3)} ms` });
    } else out.push({ name, ratio: null, limit: 1, met: null, note: `not measured: shapegrad ${s?.status ?? 'no row'}, tfjs ${t?.status ?? 'no row'}` });
  }
  return out;
}

export function formatTarget(t: Target): string {
  const verdict = t.met === null ? 'NOT MEASURED' : t.met ? 'MET' : 'NOT MET';
  return `${verdict.padEnd(12)} ${t.name}: ${t.ratio === null ? '-' : `${t.ratio.toFixed(2)}x`} (${t.note})`;
}

// ---- the device the page found -------------------------------------------------

/** A CPU adapter or renderer: SwiftShader, llvmpipe, lavapipe, softpipe, or a WebGPU fallback adapter. */
export function cpuDevice(env: Pick<BenchPageEnv, 'webgpu' | 'webgl2'>): string | null {
  const soft = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;
  const a = env.webgpu;
  if (a === null) return 'no WebGPU adapter';
  const text = [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(' ');
  if (a.isFallbackAdapter === true) return `a fallback (CPU) WebGPU adapter: ${text}`;
  if (soft.test(text)) return `a CPU WebGPU adapter: ${text}`;
  if (env.webgl2 !== null && soft.test(env.webgl2.renderer)) return `a CPU WebGL renderer: ${env.webgl2.renderer}`;
  return null;
}

export function adapterString(env: Pick<BenchPageEnv, 'webgpu'>): string {
  const a = env.webgpu;
  return a === null ? 'none' : [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(' / ') + (a.isFallbackAdapter ? ' (fallback adapter)' : '');
}

