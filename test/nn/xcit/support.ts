/** Helpers shared by the XCiT tests: golden checks, random parameters, NDArrays. */
import { strict as assert } from 'node:assert';
import { checkFile, formatReport } from '../../../src/testing/conformance/runner.js';
import { xcitComponentRecord } from '../../../src/testing/conformance/components/xcit-components.js';
import type { NDArray } from '../../../src/runtime/ndarray.js';
import { normal, key as makeKey } from '../../../src/runtime/prng.js';
import { fromArray } from '../../../src/ops/sources.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { flattenTree, unflattenTree } from '../../../src/ir/tree.js';
import { isTensor } from '../../../src/ir/tensor.js';
import { evaluate } from '../../../src/runtime/interpret.js';

export const golden = (name: string): string => `test/fixtures/golden/${name}.json`;
export const variant = (name: string): string => `test/nn/xcit/fixtures/${name}.json`;

/** Check a golden file with the XCiT components: every line must pass (none skipped); returns the worst |Δ|. */
export function expectAllPass(path: string, minLines = 1): number {
  const report = checkFile(path, { components: xcitComponentRecord });
  assert.equal(report.error, undefined, report.error);
  const bad = report.lines.filter((l) => l.status !== 'pass');
  assert.deepEqual(bad, [], formatReport({ ...report, lines: bad }).join('\n'));
  assert.ok(report.lines.length >= minLines, `${path}: only ${report.lines.length} lines checked`);
  return Math.max(...report.lines.map((l) => l.maxAbs));
}

/** Deterministic pseudo-random values (normal · scale + offset). */
export function randomData(seed: number, n: number, scale = 1, offset = 0): Float64Array {
  return normal(makeKey(seed), n).map((v) => v * scale + offset);
}

export function nd(axes: readonly string[], sizes: readonly number[], data: Float64Array): NDArray {
  return { axes: [...axes], sizes: [...sizes], data };
}

/** Every leaf of a parameter tree replaced by random values (seeded by position), as constants. */
export function randomizeParams<P>(params: P, seed: number, scale = 0.5): P {
  const flat = flattenTree(params, isTensor);
  const leaves = flat.leaves.map((t, i) => fromArray(randomData(seed * 1000 + i, t.numel, scale, 0), [...t.axes], t.sizes) as Tensor);
  return unflattenTree<P>(flat.def, leaves);
}

/** The leaves of a tree as NDArrays (evaluated), in flatten order, and a function rebuilding the tree from tensors. */
export function leavesOf<P>(params: P): { values: NDArray[]; rebuild: (xs: readonly Tensor[]) => P } {
  const flat = flattenTree(params, isTensor);
  const values = evaluate(flat.leaves) as unknown as NDArray[];
  return { values, rebuild: (xs) => unflattenTree<P>(flat.def, [...xs]) };
}
