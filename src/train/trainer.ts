/**
 * What the run loop (run.ts) needs from a method's trainer: its state (with
 * the step count and the PRNG key), one compiled step, and the tree of values
 * a checkpoint stores. Every method of the methods table (methods.ts) provides one.
 */
import type { CompiledProgram } from '../compile/compile.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { Key } from '../runtime/prng.js';
import type { MultiCropConfig } from '../data/multi-crop.js';
import type { Backbone } from './models.js';

/** What every trainer's state has: the step count and the PRNG key. */
export interface TrainState {
  readonly step: number;
  readonly key: Key;
}

/** One training step's new state, loss, learning rate and extra numbers. */
export interface StepResult<S> {
  readonly state: S;
  readonly loss: number;
  readonly lr: number;
  /** Further per-step numbers for metrics.jsonl (PAWS: its two loss terms). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** What a run shows of a trainer's compiled step: its kernels, and what ran on the last call. */
export type CompiledStep = Pick<CompiledProgram, 'kernels' | 'lastRun'>;

/** What the run loop needs from a method's trainer. */
export interface Trainer<S extends TrainState> {
  /** The method's name in tables and plots: 'DINO', 'SwAV', 'PAWS'. */
  readonly label: string;
  readonly backbone: Backbone<unknown>;
  /** The views each step draws from its batch: the recipe's crops, flips and colour, as configured. */
  readonly crops: MultiCropConfig;
  readonly compiled: CompiledStep;
  /** The state at step 0, from the configuration's seed. */
  initState(): S;
  /** One step on a batch of images; `progress` (0..1) drives the schedules. */
  step(state: S, images: Float32Array, progress?: number): Promise<StepResult<S>>;
  /** Every tensor of the state (not step and key) as one tree of values, for the checkpoint. */
  saved(state: S): unknown;
  /** The state from a checkpoint's tensors (named as flattenToTensors names saved()'s tree). */
  restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key): S;
  /** Release the compiled programs. */
  destroy(): void;
}
