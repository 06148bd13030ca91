/**
 * Helpers shared by the layer tests (ResMLP, DINO head, RegNet, combinators):
 * random values for parameter trees, closeness checks, gradient checks over a
 * whole parameter tree, and the golden-file check.
 */
import { strict as assert } from 'node:assert';
import { Tensor, isTensor } from '../../../src/ir/tensor.js';
import { flattenTree, unflattenTree } from '../../../src/ir/tree.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import type { NDArray } from '../../../src/runtime/ndarray.js';
import { key as makeKey, normal, uniform } from '../../../src/runtime/prng.js';
import { checkGradient, type GradientCheckOptions } from '../../../src/testing/check-gradient.js';
import { checkFile } from '../../../src/testing/conformance/runner.js';
import type { Component } from '../../../src/testing/conformance/component.js';

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, what = 'value'): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what} element ${i}: ${a} vs ${e}`);
  }
}

/** Random values in a tree's shape: normal(0, scale), running variances uniform in (0.5, 1.5), counters kept. */
export function randomTree<T>(tree: T, seed: number, scale = 0.5): T {
  const flat = flattenTree(tree, isTensor);
  const leaves = flat.leaves.map((t, i) => {
    const path = flat.paths[i]!;
    if (path.endsWith('num_batches_tracked')) return t;
    const data = path.endsWith('running_var') ? Array.from(uniform(makeKey(seed * 1000 + i), t.numel), (u) => 0.5 + u) : Array.from(normal(makeKey(seed * 1000 + i), t.numel), (v) => v * scale);
    return fromArray(data, [...t.axes], t.sizes);
  });
  return unflattenTree<T>(flat.def, leaves);
}

/** A random tensor value (NDArray) of the given axes and sizes. */
export function randomArray(axes: string[], sizes: number[], seed: number, scale = 1): NDArray {
  const n = sizes.reduce((a, b) => a * b, 1);
  return { axes, sizes, data: Float64Array.from(normal(makeKey(seed), n), (v) => v * scale) };
}

export const constant = (v: NDArray): Tensor => fromArray(v.data, [...v.axes], v.sizes);

/**
 * checkGradient of f(tree, x) with respect to x and every leaf of the tree
 * whose path passes `select` (default: every leaf but BatchNorm buffers).
 */
export function checkTreeGradient<T>(f: (tree: T, x: Tensor) => Tensor, tree: T, x: NDArray, select: (path: string) => boolean = (p) => !/running_|num_batches/.test(p), options: GradientCheckOptions = {}) {
  const flat = flattenTree(tree, isTensor);
  const values = evaluate(flat.leaves);
  const chosen = flat.paths.map((p) => select(p));
  const inputs = [x, ...values.filter((_, i) => chosen[i])];
  return checkGradient((xt, ...ps) => {
    let k = 0;
    const leaves = flat.leaves.map((t, i) => (chosen[i] ? ps[k++]! : constant(values[i]!)));
    return f(unflattenTree<T>(flat.def, leaves), xt!);
  }, inputs, options);
}

export interface GoldenSummary {
  readonly lines: number;
  readonly maxAbs: number;
  readonly maxRel: number;
}

/** Every line of a golden file passes (no skips); returns the worst errors. */
export function assertGolden(name: string, component: Component): GoldenSummary {
  const report = checkFile(`test/fixtures/golden/${name}.json`, { components: { [name]: component } });
  assert.equal(report.error, undefined, report.error);
  assert.ok(report.lines.length > 0);
  for (const l of report.lines) assert.equal(l.status, 'pass', `${l.section}.${l.key}: ${l.status} (max abs ${l.maxAbs}, max rel ${l.maxRel}${l.note ? `, ${l.note}` : ''})`);
  return { lines: report.lines.length, maxAbs: Math.max(...report.lines.map((l) => l.maxAbs)), maxRel: Math.max(...report.lines.map((l) => l.maxRel)) };
}

/** Values of a tensor tree (no formal inputs) by dotted parameter path ('blocks.0.attn.weight'). */
export function valuesByPath(tree: unknown): Record<string, Float64Array> {
  const flat = flattenTree(tree, isTensor);
  const values = evaluate(flat.leaves);
  return Object.fromEntries(flat.paths.map((p, i) => [p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, ''), values[i]!.data]));
}
