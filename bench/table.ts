/**
 * The bench's table (stdout without --json): one line per row, grouped by
 * workload, with the ratio columns each run chooses (`x PEER`: this row's
 * median over the peer's). Shared by the Node bench (main.ts) and the browser
 * bench (browser/run.ts), which adds a column saying where each row ran and
 * one with the Chromium/Node ratio.
 */
import type { BenchRow } from './harness.js';

export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export interface TableColumns<R extends BenchRow> {
  /** Peers (impl/backend) whose ratio gets a column. */
  readonly ratios: readonly string[];
  /** Text columns after backend (e.g. where the row ran). */
  readonly lead?: readonly { readonly header: string; readonly cell: (r: R) => string }[];
  /** Numeric columns after the ratios (e.g. the Chromium/Node ratio). */
  readonly extra?: readonly { readonly header: string; readonly cell: (r: R) => string }[];
}

export function table<R extends BenchRow>(rows: readonly R[], columns: TableColumns<R>): string {
  const lead = columns.lead ?? [];
  const extra = columns.extra ?? [];
  const nLead = 3 + lead.length;
  const header = ['workload', 'impl', 'backend', ...lead.map((c) => c.header), 'median ms', 'min-max ms', 'n', 'compile ms', ...columns.ratios.map((c) => `x ${c}`), ...extra.map((c) => c.header)];
  // A timed-out row has its message where the numbers would be (not counted in the column widths).
  const lines = rows.map((r) => {
    const first = [r.workload, r.impl, r.backend, ...lead.map((c) => c.cell(r))];
    return r.status !== 'ok'
      ? [...first, r.message.replace('timed out', 'TIMED OUT')]
      : [
          ...first,
          fmt(r.median_ms),
          `${fmt(r.min_ms)}-${fmt(r.max_ms)}`,
          String(r.repeats),
          fmt(r.compile_estimate_ms),
          ...columns.ratios.map((c) => (r.ratio_vs[c] === undefined ? '' : `${r.ratio_vs[c]!.toFixed(2)}`)),
          ...extra.map((c) => c.cell(r)),
        ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.filter((l, j) => i < nLead || rows[j]!.status === 'ok').map((l) => l[i]!.length)));
  const row = (cells: readonly string[], timed = true) =>
    cells.map((c, i) => (!timed && i === nLead ? c : i >= nLead ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [row(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.workload !== last && last !== '') out.push('');
    last = rows[i]!.workload;
    out.push(row(lines[i]!, rows[i]!.status === 'ok'));
  }
  return out.join('\n');
}
