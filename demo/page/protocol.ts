/**
 * What the page asks of its training worker (a job) and what the worker
 * reports back, one message per event. A job runs until it is done or the page
 * terminates the worker (the Stop button).
 */

export type BackendName = 'wasm' | 'webgl2-native' | 'webgl2' | 'webgpu' | 'cpu';
export const backendNames: readonly BackendName[] = ['wasm', 'webgl2-native', 'webgl2', 'webgpu', 'cpu'];

export type ModelName = 'xcit-tiny' | 'resmlp-tiny';
export const modelNames: readonly ModelName[] = ['xcit-tiny', 'resmlp-tiny'];

export interface DinoJob {
  readonly kind: 'dino';
  readonly backend: BackendName;
  readonly model: ModelName;
  readonly batchSize: number;
  /** Steps of the run (the learning-rate and EMA schedules span them). */
  readonly steps: number;
  /** k-NN (and attention maps) at step 0, every knnEvery steps and at the end; 0: never. */
  readonly knnEvery: number;
  readonly seed: number;
  /** Also run the first step on the float64 reference interpreter and report its loss. */
  readonly reference: boolean;
}

export interface SpiralsJob {
  readonly kind: 'spirals';
  readonly backend: BackendName;
  readonly steps: number;
  readonly hidden: number;
  readonly learningRate: number;
}

export type Job = DinoJob | SpiralsJob;

/** Which backend and executor actually ran (the compiled program's lastRun()). */
export interface Ran {
  readonly backend: string;
  readonly executorKind: string;
  readonly threads?: number;
}

export type Report =
  | { readonly kind: 'status'; readonly text: string }
  | { readonly kind: 'compiled'; readonly kernels: number; readonly seconds: number }
  | { readonly kind: 'step'; readonly step: number; readonly loss: number; readonly lr: number; readonly imagesPerSecond: number; readonly ran: Ran }
  | { readonly kind: 'reference'; readonly loss: number; readonly seconds: number }
  | { readonly kind: 'knn'; readonly step: number; readonly top1: number; readonly bank: number; readonly queries: number; readonly seconds: number }
  | { readonly kind: 'attention'; readonly step: number; readonly svg: string }
  | { readonly kind: 'spirals-data'; readonly points: Float64Array; readonly labels: Float64Array; readonly extent: number; readonly side: number }
  | { readonly kind: 'spirals'; readonly step: number; readonly loss: number; readonly accuracy: number; readonly grid: Float64Array; readonly ran: Ran }
  | { readonly kind: 'done'; readonly steps: number; readonly seconds: number }
  | { readonly kind: 'error'; readonly message: string };
