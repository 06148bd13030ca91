/**
 * The conformance runner: load golden files (one or a folder), evaluate each
 * named component with our code, compare every output and gradient, and
 * report one line per tensor. Sizes come from the files only.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeGolden, goldenData, type GoldenFile, type GoldenTensor } from '../../io/golden.js';
import type { BackendName, Component, Tolerance } from './component.js';
import { backends } from './component.js';
import { compare } from './compare.js';
import { components as known } from './components/index.js';

export interface CheckLine {
  readonly section: 'outputs' | 'grads';
  readonly key: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly note?: string;
}

export interface FileReport {
  readonly file: string;
  readonly component: string;
  readonly lines: readonly CheckLine[];
  /** Set when the file could not be checked at all (unknown component, malformed file, error). */
  readonly error?: string;
}

export interface ConformanceOptions {
  readonly backend?: BackendName | string;
  readonly components?: Readonly<Record<string, Component>>;
}

const float64Tolerance: Tolerance = { atol: 1e-9, rtol: 1e-9 };
const float32Tolerance: Tolerance = { atol: 1e-5, rtol: 0 };

function toleranceFor(component: Component, section: 'outputs' | 'grads', key: string, expected: GoldenTensor): Tolerance {
  return component.toleranceFor?.(section, key, expected) ?? component.tolerance ?? (expected.dtype === 'float32' ? float32Tolerance : float64Tolerance);
}

/** Golden files under a path: the file itself, or every *.json in a folder (sorted). */
export function goldenFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(path, f));
}

export function loadGolden(path: string): GoldenFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const decoded = decodeGolden(json);
  if (isLeft(decoded)) throw new Error(`${path}: malformed golden file:\n  ${decoded.left.slice(0, 10).join('\n  ')}`);
  return decoded.right;
}

export function checkFile(path: string, options: ConformanceOptions = {}): FileReport {
  const name = basename(path).replace(/\.json$/, '');
  const backend = (options.backend ?? 'reference') as BackendName;
  const fail = (error: string): FileReport => ({ file: path, component: name, lines: [], error });
  if (!backends.includes(backend)) return fail(`backend ${backend} is not available (available: ${backends.join(', ')}); the compiler issue adds the gpu.js backends`);
  const component = (options.components ?? known)[name];
  if (component === undefined) return fail(`unknown component '${name}' (known: ${Object.keys(options.components ?? known).sort().join(', ')})`);
  let file: GoldenFile;
  let result;
  try {
    file = loadGolden(path);
    result = component.evaluate(file, backend);
  } catch (e) {
    return fail((e as Error).message);
  }
  const lines: CheckLine[] = [];
  for (const section of ['outputs', 'grads'] as const) {
    for (const [key, expected] of Object.entries(file[section])) {
      const actual = result[section][key];
      if (actual === undefined) {
        const optional = key.includes('debug/');
        lines.push({ section, key, status: optional ? 'skip' : 'fail', maxAbs: NaN, maxRel: NaN, note: optional ? 'intermediate value not computed' : 'not computed' });
        continue;
      }
      const c = compare(actual, goldenData(expected), toleranceFor(component, section, key, expected));
      lines.push({ section, key, status: c.ok ? 'pass' : 'fail', maxAbs: c.maxAbs, maxRel: c.maxRel, ...(c.problem ? { note: c.problem } : c.ok ? {} : { note: `worst at element ${c.worst}` }) });
    }
  }
  return { file: path, component: name, lines };
}

export function runConformance(target: string, options: ConformanceOptions = {}): { reports: FileReport[]; ok: boolean } {
  const reports = goldenFiles(target).map((f) => checkFile(f, options));
  const ok = reports.length > 0 && reports.every((r) => r.error === undefined && r.lines.every((l) => l.status !== 'fail'));
  return { reports, ok };
}

const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toExponential(1));

export function formatReport(report: FileReport): string[] {
  if (report.error !== undefined) return [`FAIL ${report.component}: ${report.error}`];
  return report.lines.map(
    (l) => `${l.status.toUpperCase().padEnd(4)} ${report.component} ${l.section}.${l.key}  max abs ${fmt(l.maxAbs)}  max rel ${fmt(l.maxRel)}${l.note ? `  (${l.note})` : ''}`,
  );
}
