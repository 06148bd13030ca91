/**
 * What every workload of the benchmark shares: parameter trees with their
 * values, deterministic data, timing, and the agreement checks run before
 * anything is timed.
 */
import * as sg from '../src/index.js';
import type { Tensor } from '../src/index.js';

/** A named array handed to every implementation: row-major float32 values. */
export interface HostArray {
  readonly path: string;
  readonly axes: readonly string[];
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tree of tensors (from a layer's init) turned into specs and float32 values, leaves in flattenTree order. */
export interface ParamSet<T> {
  /** The tree with specs at the leaves (what trace takes). */
  readonly specs: unknown;
  /** The same tree with float32 arrays at the leaves (what run takes). */
  readonly values: unknown;
  /** The leaves, in flatten order, with their dotted paths. */
  readonly leaves: readonly HostArray[];
  /** The typed tree of tensors the values came from (for the type of the traced function). */
  readonly tree: T;
}

/** Evaluate an initialised parameter tree (float64) and round its values to float32, the precision every implementation gets. */
export function paramSet<T>(tree: T, prefix = 'p'): ParamSet<T> {
  const flat = sg.flattenTree(tree, sg.isTensor);
  const values = sg.evaluate(flat.leaves) as unknown as { data: Float64Array }[];
  const leaves = flat.leaves.map((t: Tensor, i: number) => ({
    path: flat.paths[i]!,
    axes: t.axes,
    shape: t.sizes,
    data: Float32Array.from(values[i]!.data),
  }));
  const specs = sg.unflattenTree(flat.def, leaves.map((l) => sg.spec([...l.axes], l.shape, `${prefix}.${l.path}`)));
  return { specs, values: sg.unflattenTree(flat.def, leaves.map((l) => l.data)), leaves, tree };
}

/** Deterministic float32 data: a normal (or uniform) sample from shapegrad's own PRNG, so every run sees the same values. */
export function normalData(seed: number, n: number, std = 1): Float32Array {
  const z = sg.random.normal(sg.random.key(seed), n);
  return Float32Array.from(z, (v) => v * std);
}

export function uniformData(seed: number, n: number, low: number, high: number): Float32Array {
  return Float32Array.from(sg.random.uniform(sg.random.key(seed), n, low, high));
}

/** Integer class labels in [0, k), as float32. */
export function labelData(seed: number, n: number, k: number): Float32Array {
  return Float32Array.from(sg.random.uniform(sg.random.key(seed), n, 0, k), (v) => Math.min(k - 1, Math.floor(v)));
}

export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly q1: number;
  readonly q3: number;
  readonly samples: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), samples };
}

export interface TimingPlan {
  /** Untimed calls before the measured ones. */
  readonly warmup: number;
  /** Measured calls (at least). */
  readonly repeats: number;
  /** Stop adding repetitions once this much time was spent measuring (ms); at least `minRepeats` are taken. */
  readonly budgetMs: number;
  readonly minRepeats: number;
}

/**
 * Time an async step: warm-up calls, then repetitions within a time budget.
 * With a `deadline` (a performance.now() value: the end of the row's budget),
 * no warm-up or repetition is started that the previous call's duration says
 * would end past it, once one sample is taken; `cut` tells that this happened.
 */
export async function timeAsync(step: () => Promise<unknown>, plan: TimingPlan, deadline = Infinity): Promise<Timing & { readonly cut: boolean }> {
  let last = 0;
  let cut = false;
  const fits = () => performance.now() + last <= deadline;
  for (let i = 0; i < plan.warmup; i++) {
    if (!fits()) {
      cut = true;
      break;
    }
    const t0 = performance.now();
    await step();
    last = performance.now() - t0;
  }
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < plan.repeats) {
    if (samples.length >= plan.minRepeats && performance.now() - start > plan.budgetMs) break;
    if (samples.length >= 1 && !fits()) {
      cut = true;
      break;
    }
    const t0 = performance.now();
    await step();
    last = performance.now() - t0;
    samples.push(last);
  }
  return { ...summarise(samples), cut };
}

/** Relative agreement of two scalars. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
}

/** max |a - b| / max |b|: the per-tensor criterion of the compiler's property tests. */
export function maxScaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= err)) err = Number.isNaN(d) ? Infinity : d;
  }
  return err / Math.max(scale, 1e-30);
}

/** A disagreement found before timing: reported as an error, never as a row. */
export class MismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MismatchError';
  }
}
