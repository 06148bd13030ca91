/**
 * What main.ts (the parent) and child.ts (one workload in a child process)
 * say to each other: the job, the tasks' names and what they report. Light:
 * the parent loads no workload or peer through it.
 */
import type { Row } from './harness.js';
import type { PythonProbe } from './pytorch.js';

export const WORKLOADS = ['matmul', 'xcit', 'dino', 'dino-step'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export const IMPLS = ['shapegrad', 'tfjs', 'jax-js', 'pytorch'] as const;

/** What the parent asks of one child (one workload). */
export interface WorkloadJob {
  readonly workload: WorkloadName;
  readonly quick: boolean;
  readonly impls: readonly string[];
  readonly reference: boolean;
  /** shapegrad's backends to run (e.g. ['wasm-1t', 'wasm-2t'] for the browser bench's Node rows); all when absent. */
  readonly backends?: readonly string[];
  /** Print which peers and backends loaded (the first workload's first child only). */
  readonly announce: boolean;
  /** The Python with torch the parent found (once, for every workload), or why the PyTorch rows are skipped; absent without --impl pytorch. */
  readonly pytorch?: PythonProbe;
}

/** What a task reports to the parent. */
export type TaskResult =
  | { readonly kind: 'row'; readonly row: Row }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'reference'; readonly workload: string; readonly ms: number; readonly loss: number };

/** Sent with each task when it starts: what the row would be (for a timed-out row). */
export interface TaskInfo {
  readonly workload: string;
  readonly impl: string;
  readonly backend: string;
  readonly detail: string;
  /** false for the float64 oracle run of xcit and dino, which is not a timed row. */
  readonly row: boolean;
}

export const workloadTitle = (name: WorkloadName): string =>
  name === 'xcit' ? 'xcit train step' : name === 'dino' ? 'dino+sinkhorn fwd+bwd' : name === 'dino-step' ? 'dino step (npm start job)' : 'matmul';

export const taskName = (workload: string, row: { impl: string; backend: string }) => `${workload} | ${row.impl}/${row.backend}`;
export const referenceTaskName = (workload: string) => `${workload} | shapegrad/reference (float64 oracle)`;
