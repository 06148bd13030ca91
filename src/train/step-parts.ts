/**
 * Pieces shared by the traced training steps of SwAV and PAWS (DINO's trainer
 * keeps its own copies): moving parameter trees between concrete values and
 * traced inputs, running views of one size through a network together (in
 * training mode, as DINO's MultiCropWrapper and PAWS' encoder do), masking a
 * gradient with a scalar input, and the learning-rate schedule.
 */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { spec, type SpecsFor, type TensorSpec } from '../ir/trace.js';
import type { ValuesOf } from '../runtime/interpret.js';
import { mapTree } from '../ir/tree.js';
import { mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { concat } from '../ops/slicing.js';
import { fromArray } from '../ops/sources.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { ApplyContext } from '../nn/layer.js';
import type { Backend } from '../compile/compile.js';

export const isNd = (x: unknown): x is NDArray => typeof x === 'object' && x !== null && (x as NDArray).data instanceof Float64Array && !isTensor(x);

/** The specs of a tree of concrete values: each NDArray<S> becomes a TensorSpec<S>, the tree kept. */
export type SpecsOf<V> = V extends NDArray<infer S> ? TensorSpec<S> : V extends readonly unknown[] ? { readonly [K in keyof V]: SpecsOf<V[K]> } : V extends object ? { readonly [K in keyof V]: SpecsOf<V[K]> } : V;

/** The tensors of a tree of concrete values: each NDArray<S> becomes a Tensor<S> (the inverse of ValuesOf). */
export type TensorsOfValues<V> = V extends NDArray<infer S> ? Tensor<S> : V extends readonly unknown[] ? { readonly [K in keyof V]: TensorsOfValues<V[K]> } : V extends object ? { readonly [K in keyof V]: TensorsOfValues<V[K]> } : V;

/** Input specs for a tree of concrete values: `trace(fn, specsOf(state.params))` types fn's argument as the parameter tree. */
export function specsOf<V>(tree: V): SpecsOf<V> {
  return mapTree(tree, isNd, (v) => spec([...v.axes], v.sizes)) as SpecsOf<V>;
}

/**
 * Input specs for the concrete values of a parameter tree of type P, typed as standing for P:
 * for code generic in P (`trace((p: P, x) => ..., specsFor<P>(values), ...)`), where SpecsOf's
 * structural mapping cannot be followed back to P.
 */
export function specsFor<P>(values: ValuesOf<P>): SpecsFor<P> {
  return mapTree(values, isNd, (v) => spec([...v.axes], v.sizes)) as SpecsFor<P>;
}

/** Constant tensors for a tree of concrete values (to build an optimizer state of the right shapes). */
export function asTensors<V>(tree: V): TensorsOfValues<V> {
  return mapTree(tree, isNd, (v) => fromArray(v.data, [...v.axes], v.sizes)) as TensorsOfValues<V>;
}

/** Runs of consecutive views with the same size (the global views, then the local ones). */
export function sameSizeGroups<T extends Tensor>(views: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const v of views) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.sizes.slice(1).every((n, i) => n === v.sizes[i + 1])) last.push(v);
    else groups.push([v]);
  }
  return groups;
}

/** A training-mode apply context whose emitted values (BatchNorm's running statistics) land in `emitted`. */
export function trainingContext(emitted: Record<string, Tensor>): ApplyContext {
  return { training: true, key: undefined, path: [], emit: (name, value) => void (emitted[name] = value) };
}

/**
 * `f` on every view, views of one size concatenated along B and run together; the outputs are
 * concatenated along B in the views' order (crop-major rows, as the objectives take them).
 * Views within a group may hold different numbers of images (PAWS' supports and its global views).
 */
export function rowsOfViews<Out extends string, V extends Tensor<['B', ...string[]]> = Tensor<['B', 'H', 'W']>>(views: readonly V[], f: (x: V) => Tensor<['B', Out]>): Tensor<['B', Out]> {
  const outs = sameSizeGroups(views).map((group) => f(group.length === 1 ? group[0]! : (concat(group, 'B') as V)));
  return outs.length === 1 ? outs[0]! : (concat(outs, 'B') as Tensor<['B', Out]>);
}

/** A gradient leaf times a scalar input (0 freezes it, 1 lets it learn) without retracing. */
export function gate<S extends Shape>(grad: Tensor<S>, learns: Tensor<[]>): Tensor<S> {
  return mul(grad, broadcastTo(learns, grad.axes, grad.sizes) as Tensor<S>);
}

/** What every trainer's optimisation and run share: AdamW's rate and decay, the schedule, the seed and the backend. */
export interface OptimisationConfig {
  readonly lr: number;
  readonly minLr: number;
  readonly weightDecay: number;
  readonly warmupSteps: number;
  /** Steps the schedule spans when no progress is given. */
  readonly plannedSteps: number;
  readonly seed: number;
  readonly backend: Backend;
}

/** A half cosine from `from` (p = 0) to `to` (p = 1) over the run's progress p, clamped to [0, 1]. */
export function cosineFromTo(p: number, from: number, to: number): number {
  const q = Math.min(1, Math.max(0, p));
  return to + ((from - to) * (1 + Math.cos(Math.PI * q))) / 2;
}

/** Linear warm-up for `warmupSteps`, then a cosine from `lr` to `minLr` over the run's progress p in [0, 1]. */
export function warmupCosine(step: number, p: number, o: { readonly lr: number; readonly minLr: number; readonly warmupSteps: number }): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  return cosineFromTo(p, o.lr, o.minLr);
}

/** The run's progress (given, or the step over plannedSteps) and the learning rate there. */
export function scheduleAt(step: number, progress: number | undefined, o: Pick<OptimisationConfig, 'lr' | 'minLr' | 'warmupSteps' | 'plannedSteps'>): { readonly p: number; readonly lr: number } {
  const p = progress ?? step / o.plannedSteps;
  return { p, lr: warmupCosine(step, p, o) };
}
