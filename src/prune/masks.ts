/**
 * Magnitude pruning masks over parameter trees.
 *
 * A mask set maps PyTorch-style dotted parameter paths ('blocks.0.mlp.fc1.weight')
 * to 0/1 values of the parameter's shape; paths without a mask are not pruned.
 * Masks are values (NDArray), computed from parameter values on the reference
 * interpreter; applying them is a graph op (see masked.ts).
 *
 * Selection is exact and deterministic: to prune `count` weights, entries are
 * ordered by (already pruned first, |w| ascending, parameter path order,
 * element index) and the first `count` are pruned, so ties never make the
 * sparsity miss its target.
 */
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { flattenTree } from '../ir/tree.js';
import { evaluate } from '../ops/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';

/** 0/1 masks by dotted parameter path. */
export type Masks = Readonly<Record<string, NDArray>>;

/** Which parameters may be pruned. */
export type Prunable = (path: string, leaf: Tensor) => boolean;

/** Weights of linear and convolution layers: paths ending in 'weight' with at least two axes (not biases, not norm scales). */
export const weightsOnly: Prunable = (path, leaf) => leaf.rank >= 2 && /(^|\.)weight$/.test(path);

/** Every parameter. */
export const everything: Prunable = () => true;

export type Scope = 'global' | 'layer';

/** A tree's tensor leaves with their dotted paths (the convention of nn/params parameterPaths). */
export function leavesWithPaths(params: unknown): { path: string; leaf: Tensor }[] {
  const flat = flattenTree(params, isTensor);
  return flat.leaves.map((leaf, i) => ({ path: flat.paths[i]!.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, ''), leaf }));
}

/** The values of the prunable leaves (one evaluation for all of them). */
export function prunableValues(params: unknown, prunable: Prunable = weightsOnly): { path: string; leaf: Tensor; value: NDArray }[] {
  const chosen = leavesWithPaths(params).filter(({ path, leaf }) => prunable(path, leaf));
  const values = evaluate(chosen.map((c) => c.leaf));
  return chosen.map((c, i) => ({ ...c, value: values[i]! }));
}

interface Entry {
  readonly path: string;
  readonly value: NDArray;
  readonly previous: NDArray | undefined;
}

function checkMask(path: string, value: NDArray, mask: NDArray | undefined): void {
  if (mask === undefined) return;
  const same = mask.sizes.length === value.sizes.length && mask.sizes.every((n, i) => n === value.sizes[i]);
  if (!same) throw new RangeError(`mask ${path}: shape [${mask.sizes.join(', ')}] but the parameter has [${value.sizes.join(', ')}]`);
}

const isPruned = (mask: NDArray | undefined, i: number) => mask !== undefined && mask.data[i] === 0;

/** Prune exactly `count` entries of the group (already pruned ones first), returning masks for the group. */
function pruneGroup(group: readonly Entry[], count: number): Record<string, NDArray> {
  const order: { e: number; i: number; score: number }[] = [];
  group.forEach((entry, e) => {
    for (let i = 0; i < entry.value.data.length; i++) order.push({ e, i, score: isPruned(entry.previous, i) ? -1 : Math.abs(entry.value.data[i]!) });
  });
  order.sort((a, b) => a.score - b.score || a.e - b.e || a.i - b.i);
  const out: Record<string, NDArray> = {};
  const data = group.map((entry) => new Float64Array(entry.value.data.length).fill(1));
  for (let j = 0; j < count; j++) data[order[j]!.e]![order[j]!.i] = 0;
  group.forEach((entry, e) => {
    out[entry.path] = { axes: entry.value.axes, sizes: entry.value.sizes, data: data[e]! };
  });
  return out;
}

function entriesOf(params: unknown, prunable: Prunable, previous: Masks | undefined): Entry[] {
  const entries = prunableValues(params, prunable).map(({ path, value }) => ({ path, value, previous: previous?.[path] }));
  entries.forEach((e) => checkMask(e.path, e.value, e.previous));
  if (previous !== undefined) {
    const known = new Set(entries.map((e) => e.path));
    const stray = Object.keys(previous).filter((p) => !known.has(p));
    if (stray.length > 0) throw new RangeError(`masks for ${stray.join(', ')}: not prunable parameters of the tree`);
  }
  return entries;
}

const zerosIn = (mask: NDArray | undefined): number => (mask === undefined ? 0 : mask.data.reduce((n, v) => n + (v === 0 ? 1 : 0), 0));

export interface MaskOptions {
  /** Fraction of the prunable weights to be zero, in [0, 1]. */
  readonly sparsity: number;
  /** 'global': one threshold over all prunable weights; 'layer': each tensor to the same sparsity (default 'global'). */
  readonly scope?: Scope;
  /** Which parameters may be pruned (default: weightsOnly). */
  readonly prunable?: Prunable;
  /** Masks to extend: what they prune stays pruned (and counts toward the target). */
  readonly previous?: Masks;
}

function checkFraction(what: string, x: number): void {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${x}`);
}

/**
 * Magnitude masks with round(sparsity · n) zeros, n the number of prunable
 * weights (globally, or per tensor for the 'layer' scope). Weights pruned by
 * `previous` stay pruned; if they already exceed the target, no more are pruned.
 */
export function magnitudeMasks(params: unknown, options: MaskOptions): Masks {
  checkFraction('magnitudeMasks: sparsity', options.sparsity);
  const entries = entriesOf(params, options.prunable ?? weightsOnly, options.previous);
  const target = (group: readonly Entry[]) => {
    const n = group.reduce((s, e) => s + e.value.data.length, 0);
    const already = group.reduce((s, e) => s + zerosIn(e.previous), 0);
    return Math.max(already, Math.round(options.sparsity * n));
  };
  if ((options.scope ?? 'global') === 'global') return pruneGroup(entries, target(entries));
  return Object.assign({}, ...entries.map((e) => pruneGroup([e], target([e])))) as Masks;
}

export interface PruneOptions {
  /** Fraction of the weights still unpruned to prune now, in [0, 1]. */
  readonly fraction: number;
  readonly scope?: Scope;
  readonly prunable?: Prunable;
}

/**
 * Prune round(fraction · remaining) more weights (globally, or per tensor),
 * remaining = the prunable weights that `previous` keeps: one step of
 * iterative magnitude pruning.
 */
export function pruneRemaining(params: unknown, previous: Masks | undefined, options: PruneOptions): Masks {
  checkFraction('pruneRemaining: fraction', options.fraction);
  const entries = entriesOf(params, options.prunable ?? weightsOnly, previous);
  const count = (group: readonly Entry[]) => {
    const n = group.reduce((s, e) => s + e.value.data.length, 0);
    const already = group.reduce((s, e) => s + zerosIn(e.previous), 0);
    return already + Math.round(options.fraction * (n - already));
  };
  if ((options.scope ?? 'global') === 'global') return pruneGroup(entries, count(entries));
  return Object.assign({}, ...entries.map((e) => pruneGroup([e], count([e])))) as Masks;
}

/** Masks of ones for every prunable parameter (nothing pruned). */
export function onesMasks(params: unknown, prunable: Prunable = weightsOnly): Masks {
  return Object.fromEntries(
    leavesWithPaths(params)
      .filter(({ path, leaf }) => prunable(path, leaf))
      .map(({ path, leaf }) => [path, { axes: leaf.axes, sizes: leaf.sizes, data: new Float64Array(leaf.numel).fill(1) }]),
  );
}

/** Fraction of zeros in the masks (over the masked parameters). */
export function maskSparsity(masks: Masks): number {
  let zeros = 0;
  let total = 0;
  for (const m of Object.values(masks)) {
    zeros += zerosIn(m);
    total += m.data.length;
  }
  return total === 0 ? 0 : zeros / total;
}
