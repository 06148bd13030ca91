/**
 * What the browser bench's Node side (run.ts) and its page (page.ts) share:
 * the workloads, the rows to run (implementation and backend) and what a
 * row's call sends and returns. Light: no library is loaded through it.
 */
import type { Row } from '../harness.js';
import type { WorkloadName } from '../jobs.js';

export const BROWSER_WORKLOADS = ['matmul 128', 'matmul 512', 'xcit train step', 'dino+sinkhorn fwd+bwd'] as const;
export type BrowserWorkload = (typeof BROWSER_WORKLOADS)[number];

/** The rows of a --only name (none for dino-step: the main job's step against PyTorch runs in Node only). */
export function browserWorkloads(name: WorkloadName): BrowserWorkload[] {
  return name === 'matmul' ? ['matmul 128', 'matmul 512'] : name === 'xcit' ? ['xcit train step'] : name === 'dino' ? ['dino+sinkhorn fwd+bwd'] : [];
}

export interface RowSpec {
  readonly impl: 'shapegrad' | 'tfjs' | 'jax-js';
  readonly backend: string;
  /** The device the row uses, for its renderer/adapter string. */
  readonly device: 'cpu' | 'webgl' | 'webgpu';
}

/** Every row of a workload in the page, in the order they run. */
export const BROWSER_ROWS: readonly RowSpec[] = [
  { impl: 'shapegrad', backend: 'wasm-1t', device: 'cpu' },
  { impl: 'shapegrad', backend: 'wasm-2t', device: 'cpu' },
  { impl: 'shapegrad', backend: 'webgl2', device: 'webgl' },
  { impl: 'shapegrad', backend: 'webgl2-native', device: 'webgl' },
  { impl: 'shapegrad', backend: 'webgpu', device: 'webgpu' },
  { impl: 'tfjs', backend: 'webgl', device: 'webgl' },
  { impl: 'tfjs', backend: 'wasm', device: 'cpu' },
  { impl: 'tfjs', backend: 'webgpu', device: 'webgpu' },
  { impl: 'jax-js', backend: 'wasm', device: 'cpu' },
  { impl: 'jax-js', backend: 'webgpu', device: 'webgpu' },
];

/** The rows of --gpu: those on the GPU (WebGPU and WebGL). */
export const GPU_ROWS: readonly RowSpec[] = BROWSER_ROWS.filter((r) => r.device !== 'cpu');

/** shapegrad's rows that also run in Node, for the Chromium/Node ratio. */
export const NODE_BACKENDS = ['wasm-1t', 'wasm-2t'] as const;

export interface PageRowRequest {
  readonly workload: BrowserWorkload;
  readonly impl: string;
  readonly backend: string;
  readonly quick: boolean;
  /** The row's budget (ms): repetitions stop short of it; Node closes the browser past it. */
  readonly budgetMs: number;
}

export type PageRowResult = { readonly kind: 'row'; readonly row: Row } | { readonly kind: 'error'; readonly message: string };
