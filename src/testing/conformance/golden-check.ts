/**
 * Checking a golden file: evaluate the named component with our code on a
 * backend, compare every output and gradient, and report one line per tensor.
 * Sizes come from the file only. Takes parsed JSON, so it runs anywhere (a page
 * fetches the files); runner.ts reads files and folders in Node.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeGolden, goldenData, type GoldenFile, type GoldenTensor } from '../../io/golden.js';
import type { BackendName, Component, ComponentResult, Tolerance } from './component.js';
import { isTensor, type Tensor } from '../../ir/tensor.js';
import { trace } from '../../ir/trace.js';
import { evaluate } from '../../ops/interpret.js';
import { compile, type ExecutionInfo } from '../../compile/compile.js';
import { availableBackends } from '../../compile/gpujs/backends.js';
import { backendAvailable } from '../../compile/compile.js';
import { compare } from './compare.js';
import { components as known } from './components/index.js';

/** One checked output of a golden file. */
export interface CheckLine {
  readonly section: 'outputs' | 'grads';
  readonly key: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly note?: string;
}

/** A golden file's checked lines and verdict. */
export interface FileReport {
  readonly file: string;
  readonly component: string;
  readonly lines: readonly CheckLine[];
  /** Set when the file could not be checked at all (unknown component, malformed file, error). */
  readonly error?: string;
  /** What ran on a compiled backend (its lastRun(): a fallback to another backend shows here); absent on the reference. */
  readonly ran?: ExecutionInfo;
}

/** The backend a conformance check runs on, and its components. */
export interface ConformanceOptions {
  readonly backend?: BackendName | string;
  readonly components?: Readonly<Record<string, Component>>;
}

const float64Tolerance: Tolerance = { atol: 1e-9, rtol: 1e-9 };
const float32Tolerance: Tolerance = { atol: 1e-5, rtol: 0 };

/**
 * On the float64 reference: the component's tolerance, else 1e-9 (float64 files)
 * or 1e-5 (float32 files). On the float32 gpu.js backends: 1e-4 relative to the
 * largest magnitude of the tensor (the issue's fp32 criterion), whatever the file.
 */
function toleranceFor(component: Component, section: 'outputs' | 'grads', key: string, expected: GoldenTensor, backend: BackendName): Tolerance {
  if (backend !== 'reference') {
    const scale = expected.data.reduce<number>((m, v) => Math.max(m, Math.abs(Number(v))), 0);
    return { atol: 1e-4 * Math.max(scale, 1e-3), rtol: 0 };
  }
  return component.toleranceFor?.(section, key, expected) ?? component.tolerance ?? (expected.dtype === 'float32' ? float32Tolerance : float64Tolerance);
}

/** Decode a parsed golden file; `label` (its path or URL) names it in errors. */
export function decodeGoldenJson(json: unknown, label: string): GoldenFile {
  const decoded = decodeGolden(json);
  if (isLeft(decoded)) throw new Error(`${label}: malformed golden file:\n  ${decoded.left.slice(0, 10).join('\n  ')}`);
  return decoded.right;
}

/** The backends the runner can use here: the reference, wasm, webgl2-native in a browser, and every gpu.js backend available. */
export function conformanceBackends(): BackendName[] {
  return ['reference', 'wasm', ...(backendAvailable('webgl2-native') ? (['webgl2-native'] as const) : []), ...availableBackends()];
}

type Values = { readonly outputs: Record<string, ArrayLike<number>>; readonly grads: Record<string, ArrayLike<number>>; readonly ran?: ExecutionInfo };

/** Split a component's result into the tensors to evaluate and the host values it already computed. */
function tensorsOf(result: ComponentResult): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  for (const section of ['outputs', 'grads'] as const) {
    for (const [key, v] of Object.entries(result[section])) if (isTensor(v)) tensors[`${section}\u0000${key}`] = v;
  }
  return tensors;
}

function withValues(result: ComponentResult, values: Record<string, { data: Float64Array }>): Values {
  const pick = (section: 'outputs' | 'grads') =>
    Object.fromEntries(Object.entries(result[section]).map(([k, v]) => [k, isTensor(v) ? values[`${section}\u0000${k}`]!.data : v]));
  return { outputs: pick('outputs'), grads: pick('grads') };
}

/** Evaluate a component's tensors on a backend: the float64 interpreter, or one compiled gpu.js pipeline. */
async function resolveOn(result: ComponentResult, backend: BackendName): Promise<Values> {
  const tensors = tensorsOf(result);
  if (backend === 'reference') return withValues(result, evaluate(tensors));
  const compiled = compile(trace(() => tensors), { backend });
  try {
    const values = withValues(result, (await compiled.run()) as Record<string, { data: Float64Array }>);
    const ran = compiled.lastRun();
    return ran ? { ...values, ran } : values;
  } finally {
    compiled.destroy();
  }
}

function compareAll(file: GoldenFile, component: Component, values: Values, backend: BackendName): CheckLine[] {
  const lines: CheckLine[] = [];
  for (const section of ['outputs', 'grads'] as const) {
    for (const [key, expected] of Object.entries(file[section])) {
      const actual = values[section][key];
      if (actual === undefined) {
        const optional = key.includes('debug/');
        lines.push({ section, key, status: optional ? 'skip' : 'fail', maxAbs: NaN, maxRel: NaN, note: optional ? 'intermediate value not computed' : 'not computed' });
        continue;
      }
      const c = compare(actual, goldenData(expected), toleranceFor(component, section, key, expected, backend));
      const problem = c.problem && `shape [${expected.shape.join(', ')}] in the file (${expected.data.length} values), ${actual.length} values computed`;
      lines.push({ section, key, status: c.ok ? 'pass' : 'fail', maxAbs: c.maxAbs, maxRel: c.maxRel, ...(problem ? { note: problem } : c.ok ? {} : { note: `worst at element ${c.worst}` }) });
    }
  }
  return lines;
}

function prepare(name: string, options: ConformanceOptions): { backend: BackendName; component?: Component; error?: string } {
  const backend = (options.backend ?? 'reference') as BackendName;
  if (!conformanceBackends().includes(backend)) return { backend, error: `backend ${backend} is not available (available here: ${conformanceBackends().join(', ')})` };
  const component = (options.components ?? known)[name];
  if (component === undefined) return { backend, error: `unknown component '${name}' (known: ${Object.keys(options.components ?? known).sort().join(', ')})` };
  return { backend, component };
}

/**
 * Check a golden file on the reference interpreter (synchronous). `name` is the
 * component (the file's base name); `file` the parsed JSON, or a thunk that
 * parses it (its errors are reported like the component's); `label` names it.
 */
export function checkGoldenSync(name: string, file: unknown, label = name, options: ConformanceOptions = {}): FileReport {
  if ((options.backend ?? 'reference') !== 'reference') throw new Error('checkGoldenSync evaluates on the reference interpreter; use checkGolden for another backend');
  const { component, error, backend } = prepare(name, options);
  if (!component) return { file: label, component: name, lines: [], error: error! };
  try {
    const golden = decodeGoldenJson(typeof file === 'function' ? (file as () => unknown)() : file, label);
    const result = component.evaluate(golden, backend);
    return { file: label, component: name, lines: compareAll(golden, component, withValues(result, evaluate(tensorsOf(result))), backend) };
  } catch (e) {
    return { file: label, component: name, lines: [], error: (e as Error).message };
  }
}

/** Check a golden file on any backend (the compiled ones run the component's graph as one program). */
export async function checkGolden(name: string, file: unknown, label = name, options: ConformanceOptions = {}): Promise<FileReport> {
  const { component, error, backend } = prepare(name, options);
  if (!component) return { file: label, component: name, lines: [], error: error! };
  try {
    const golden = decodeGoldenJson(typeof file === 'function' ? (file as () => unknown)() : file, label);
    const result = component.evaluate(golden, backend);
    const values = await resolveOn(result, backend);
    return { file: label, component: name, lines: compareAll(golden, component, values, backend), ...(values.ran ? { ran: values.ran } : {}) };
  } catch (e) {
    return { file: label, component: name, lines: [], error: (e as Error).message };
  }
}

/** Whether every report passed (and there was at least one). */
export function allPassed(reports: readonly FileReport[]): boolean {
  return reports.length > 0 && reports.every((r) => r.error === undefined && r.lines.every((l) => l.status !== 'fail'));
}

const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toExponential(1));

/** One line per tensor; a failure also names the file it came from. */
export function formatReport(report: FileReport): string[] {
  const where = report.file === report.component ? '' : `  in ${report.file}`;
  if (report.error !== undefined) return [`FAIL ${report.component}: ${report.error.startsWith(report.file) ? report.error : `${report.error}${where}`}`];
  return report.lines.map(
    (l) => `${l.status.toUpperCase().padEnd(4)} ${report.component} ${l.section}.${l.key}  max abs ${fmt(l.maxAbs)}  max rel ${fmt(l.maxRel)}${l.note ? `  (${l.note})` : ''}${l.status === 'fail' ? where : ''}`,
  );
}
