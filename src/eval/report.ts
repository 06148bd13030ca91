/**
 * The results table: one row per kind of features (raw pixels, random
 * initialisation, the trained method), columns k-NN top-1, k-NN top-5 and
 * linear-probe top-1 (each where computed), and where any row has them the
 * NMI and ARI of k-means clusters against the labels, as aligned plain text and as JSON.
 */

export interface ResultRow {
  /** What the features are: 'raw pixels', 'random initialisation', 'DINO', ... */
  readonly name: string;
  /** k-NN accuracies in percent. */
  readonly knn?: { readonly top1: number; readonly top5: number };
  /** Linear-probe test top-1 in percent. */
  readonly linearTop1?: number;
  /** k-means clusters of the test features against the labels: normalised mutual information and adjusted Rand index. */
  readonly clustering?: { readonly nmi: number; readonly ari: number };
  /** Feature dimension. */
  readonly dim?: number;
  /** Seconds spent computing and evaluating these features. */
  readonly seconds?: number;
}

/** How evaluation results are formatted. */
export interface ReportOptions {
  /** A first line, e.g. 'MNIST test (10000 images)'. */
  readonly title?: string;
  /** Lines printed under the table, e.g. 'k-NN: k = 20, T = 0.07, cosine similarity'. */
  readonly notes?: readonly string[];
  /** Decimals of the percentages in the text (default 2). */
  readonly digits?: number;
}

/** The table as JSON-ready data: missing values are null, numbers unrounded. */
export interface ResultsJson {
  readonly title: string | null;
  readonly columns: readonly ['features', 'knnTop1', 'knnTop5', 'linearTop1', 'nmi', 'ari'];
  readonly rows: readonly {
    readonly name: string;
    readonly knnTop1: number | null;
    readonly knnTop5: number | null;
    readonly linearTop1: number | null;
    readonly nmi: number | null;
    readonly ari: number | null;
    readonly dim: number | null;
    readonly seconds: number | null;
  }[];
  readonly notes: readonly string[];
}

const HEADERS = ['features', 'k-NN top-1', 'k-NN top-5', 'linear top-1'] as const;
const CLUSTER_HEADERS = ['NMI', 'ARI'] as const;
const MISSING = '-';

function checkRows(rows: readonly ResultRow[]): void {
  rows.forEach((r, i) => {
    if (typeof r.name !== 'string' || r.name.length === 0) throw new TypeError(`report: row ${i} has no name`);
    for (const [what, v] of [['k-NN top-1', r.knn?.top1], ['k-NN top-5', r.knn?.top5], ['linear top-1', r.linearTop1]] as const) {
      if (v !== undefined && !Number.isFinite(v)) throw new RangeError(`report: row ${r.name} has ${what} = ${v}`);
    }
  });
}

/** The table as aligned plain text (names left-aligned, numbers right-aligned, '-' where not computed). */
export function formatResults(rows: readonly ResultRow[], options: ReportOptions = {}): string {
  checkRows(rows);
  const digits = options.digits ?? 2;
  const pct = (v: number | undefined) => (v === undefined ? MISSING : v.toFixed(digits));
  const clusters = rows.some((r) => r.clustering !== undefined);
  const ratio = (v: number | undefined) => (v === undefined ? MISSING : v.toFixed(3));
  const headers: readonly string[] = clusters ? [...HEADERS, ...CLUSTER_HEADERS] : HEADERS;
  const cells = rows.map((r) => [r.name, pct(r.knn?.top1), pct(r.knn?.top5), pct(r.linearTop1), ...(clusters ? [ratio(r.clustering?.nmi), ratio(r.clustering?.ari)] : [])]);
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: readonly string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(line(headers));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  cells.forEach((row) => out.push(line(row)));
  for (const note of options.notes ?? []) out.push(note);
  return out.join('\n') + '\n';
}

/** The table as JSON-ready data (JSON.stringify it to print for machines). */
export function resultsJson(rows: readonly ResultRow[], options: Pick<ReportOptions, 'title' | 'notes'> = {}): ResultsJson {
  checkRows(rows);
  return {
    title: options.title ?? null,
    columns: ['features', 'knnTop1', 'knnTop5', 'linearTop1', 'nmi', 'ari'],
    rows: rows.map((r) => ({
      name: r.name,
      knnTop1: r.knn?.top1 ?? null,
      knnTop5: r.knn?.top5 ?? null,
      linearTop1: r.linearTop1 ?? null,
      nmi: r.clustering?.nmi ?? null,
      ari: r.clustering?.ari ?? null,
      dim: r.dim ?? null,
      seconds: r.seconds ?? null,
    })),
    notes: [...(options.notes ?? [])],
  };
}
