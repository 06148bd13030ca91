/** Sparsity per parameter: the fraction of exact zeros, by dotted path. */
import { evaluate } from '../ops/interpret.js';
import { everything, leavesWithPaths, weightsOnly, type Prunable } from './masks.js';

/** One parameter's sparsity. */
export interface SparsityEntry {
  readonly zeros: number;
  readonly total: number;
  /** zeros / total. */
  readonly fraction: number;
}

/** Sparsity per parameter and overall. */
export interface SparsityReport {
  /** path → its sparsity, in parameter order. */
  readonly layers: Readonly<Record<string, SparsityEntry>>;
  /** Over every reported parameter. */
  readonly overall: SparsityEntry;
}

/** Which parameters a sparsity report covers. */
export interface SparsityOptions {
  /** Which parameters to report (default: weightsOnly; pass `everything` for all). */
  readonly include?: Prunable;
}

/** The fraction of zeros of each chosen parameter and overall. */
export function sparsityReport(params: unknown, options: SparsityOptions = {}): SparsityReport {
  const include = options.include ?? weightsOnly;
  const chosen = leavesWithPaths(params).filter(({ path, leaf }) => include(path, leaf));
  const values = evaluate(chosen.map((c) => c.leaf));
  const layers: Record<string, SparsityEntry> = {};
  let zeros = 0;
  let total = 0;
  chosen.forEach(({ path }, i) => {
    const data = values[i]!.data;
    const z = data.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    layers[path] = { zeros: z, total: data.length, fraction: data.length === 0 ? 0 : z / data.length };
    zeros += z;
    total += data.length;
  });
  return { layers, overall: { zeros, total, fraction: total === 0 ? 0 : zeros / total } };
}

/** One line per parameter: 'blocks.0.fc1.weight   75.0% zero (96 of 128)'. */
export function formatSparsity(report: SparsityReport): string {
  const entries = Object.entries(report.layers);
  const width = Math.max(7, ...entries.map(([p]) => p.length));
  const line = (name: string, e: SparsityEntry) => `${name.padEnd(width)}  ${(100 * e.fraction).toFixed(1).padStart(5)}% zero (${e.zeros} of ${e.total})`;
  return [...entries.map(([p, e]) => line(p, e)), line('overall', report.overall)].join('\n');
}

export { everything, weightsOnly };
