/**
 * metrics.jsonl: one JSON object per line, each with the training step it was
 * measured at (steps completed so far; 0 = before training). Records are
 * appended as they come; on resume, {@link truncateMetrics} drops the records
 * after the checkpoint's step so the resumed run re-logs them and ends with
 * the same file as an uninterrupted run (fields that measure wall time, such
 * as images per second, differ of course).
 *
 * Write the checkpoint of step s only after every record of step s is
 * appended: then "keep step <= s" is exactly what the checkpoint has seen.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './run-dir.js';

/** One record: `step` plus any JSON-serialisable fields (e.g. kind: 'train', loss, lr, knnTop1). */
export interface MetricRecord {
  readonly step: number;
  readonly [field: string]: unknown;
}

/** A metrics file (metrics.jsonl) that cannot be read or a record that cannot be written; `file` names it. */
export class MetricsError extends Error {
  constructor(message: string, readonly file: string) {
    super(message);
    this.name = 'MetricsError';
  }
}

function lineOf(file: string, record: MetricRecord): string {
  if (typeof record.step !== 'number' || !Number.isFinite(record.step)) throw new MetricsError(`${file}: a metrics record needs a finite number step, got ${JSON.stringify(record.step)}`, file);
  // JSON.stringify never emits a raw newline; non-finite numbers become null
  return `${JSON.stringify(record)}\n`;
}

/** Append records to metrics.jsonl (created if absent). */
export function appendMetrics(file: string, ...records: readonly MetricRecord[]): void {
  if (records.length === 0) return;
  appendFileSync(file, records.map((r) => lineOf(file, r)).join(''), { flag: 'a' });
}

/**
 * Read metrics.jsonl back; a missing file is no records. A last line without
 * its newline (a process killed mid-append) is dropped; any other bad line is
 * a {@link MetricsError} naming the file and the line.
 */
export function readMetrics(file: string): MetricRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  const out: MetricRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (last && !complete) return; // an interrupted append
      throw new MetricsError(`${file} line ${i + 1}: not valid JSON: ${line.slice(0, 60)}`, file);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MetricsError(`${file} line ${i + 1}: expected an object, got ${line.slice(0, 60)}`, file);
    const step = (value as Record<string, unknown>)['step'];
    if (typeof step !== 'number' || !Number.isFinite(step)) throw new MetricsError(`${file} line ${i + 1}: step: expected a number, got ${JSON.stringify(step)}`, file);
    out.push(value as MetricRecord);
  });
  return out;
}

/**
 * Keep only the records with step <= lastStep (pass the checkpoint's step, or
 * -1 when resuming without a checkpoint), rewriting the file atomically.
 * Returns how many records were dropped; a missing file stays missing.
 */
export function truncateMetrics(file: string, lastStep: number): number {
  if (!existsSync(file)) return 0;
  const records = readMetrics(file);
  const keep = records.filter((r) => r.step <= lastStep);
  writeFileAtomic(file, keep.map((r) => lineOf(file, r)).join(''));
  return records.length - keep.length;
}

/**
 * The (step, value) points of one numeric field, for plots: records whose
 * field is a finite number, optionally only those passing `where`
 * (e.g. `(r) => r['kind'] === 'eval'`).
 */
export function metricSeries(records: readonly MetricRecord[], field: string, where?: (r: MetricRecord) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of records) {
    const v = r[field];
    if (typeof v === 'number' && Number.isFinite(v) && (where === undefined || where(r))) out.push([r.step, v]);
  }
  return out;
}
