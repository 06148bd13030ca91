/** What `train --json` and `eval --json` print: every column of the table (k-NN, linear probe, NMI/ARI, dim), the steps and the notes. */
import { resultsJson, type ResultsJson } from '../eval/report.js';
import type { RunResult } from '../train/run.js';

export interface ResultJson extends ResultsJson {
  readonly steps: number;
  readonly imagesPerSecond?: number;
}

export function resultJson(result: RunResult, options: { readonly training?: boolean } = { training: true }): ResultJson {
  const table = resultsJson(result.rows, { notes: result.notes });
  return { steps: result.steps, ...(options.training ? { imagesPerSecond: result.imagesPerSecond } : {}), ...table };
}
