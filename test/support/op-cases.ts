/**
 * Shared helpers for the op property tests (test/ops/*.test.ts): running a
 * gradient property over fast-check cases, exact autodiff gradients for the
 * ops that must have none, independent index arithmetic for the reference
 * checks, and small arbitraries (distinct values, subsets, permutations).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { assertGradient, type GradientCheckOptions } from '../../src/testing/index.js';

/** A tensor with a runtime shape (the tests build shapes dynamically). */
export type T = Tensor<string[]>;
/** The function under test: tensors in, one tensor out. */
export type Fn = (...xs: T[]) => Tensor;
type CheckFn = Parameters<typeof assertGradient>[0];

/** Runs per property: at least 100 (the acceptance criterion); SHAPEGRAD_RUNS may raise it. */
export const RUNS = Math.max(100, Number(process.env['SHAPEGRAD_RUNS'] ?? '0') || 0);

/** A case of a gradient property: the values of the differentiated inputs, plus whatever else the op needs. */
export interface GradCase {
  readonly inputs: readonly NDArray[];
}

/**
 * For every case, autodiff agrees with central finite differences (through a
 * fixed random projection when the result is not a scalar).
 */
export function gradientProperty<C extends GradCase>(arb: fc.Arbitrary<C>, build: (c: C) => Fn, options: GradientCheckOptions = {}, runs = RUNS): void {
  fc.assert(
    fc.property(arb, (c) => {
      assertGradient(build(c) as unknown as CheckFn, c.inputs, options);
    }),
    { numRuns: runs },
  );
}

/** Any property over `arb`, with the suite's number of runs. */
export function property<C>(arb: fc.Arbitrary<C>, check: (c: C) => void, runs = RUNS): void {
  fc.assert(fc.property(arb, check), { numRuns: runs });
}

// ---- values ----------------------------------------------------------------

export function numel(sizes: readonly number[]): number {
  return sizes.reduce((a, b) => a * b, 1);
}

export function nd(axes: readonly string[], sizes: readonly number[], data: ArrayLike<number>): NDArray {
  assert.equal(data.length, numel(sizes), `nd: ${data.length} values for sizes [${sizes.join(', ')}]`);
  return { axes: [...axes], sizes: [...sizes], data: Float64Array.from(data) };
}

/** A constant tensor holding an NDArray's value. */
export function constant(x: NDArray, name?: string): T {
  return sg.fromArray(x.data, [...x.axes], [...x.sizes], name === undefined ? {} : { name });
}

/** The value of f at constant inputs, by the reference interpreter. */
export function evalFn(f: Fn, inputs: readonly NDArray[]): NDArray {
  return sg.evaluate(f(...inputs.map((x) => constant(x)))) as NDArray;
}

/**
 * The projection weights checkGradient uses for a result of this shape:
 * standard normals from a seed, or [1] for a scalar result (not projected).
 */
export function projectionWeights(sizes: readonly number[], seed = 7): Float64Array {
  if (sizes.length === 0) return Float64Array.of(1);
  return sg.random.normal(sg.random.key(seed), numel(sizes));
}

/**
 * Autodiff gradients (evaluated, no finite differences) of sum(f(xs) * R), R
 * the fixed projection, with respect to every input. For ops whose gradient
 * must be exactly zero, and for exact expectations.
 */
export function autodiffGradients(f: Fn, inputs: readonly NDArray[], seed = 7): NDArray[] {
  const specs = inputs.map((x) => sg.spec([...x.axes], [...x.sizes]));
  const loss = (ps: T[]): Tensor<[]> => {
    const y = f(...ps) as T;
    if (y.rank === 0) return y as unknown as Tensor<[]>;
    const r = sg.fromArray(projectionWeights(y.sizes, seed), [...y.axes], [...y.sizes], { name: 'R' });
    return sg.sum(sg.mul(y, r)) as unknown as Tensor<[]>;
  };
  const program = sg.trace((...xs: T[]) => sg.grad(loss)(xs), ...specs);
  return sg.interpret(program.graph, inputs);
}

/** Every element of every gradient is exactly zero. */
export function assertZeroGradients(f: Fn, inputs: readonly NDArray[]): void {
  autodiffGradients(f, inputs).forEach((g, i) => {
    const bad = g.data.findIndex((v) => v !== 0);
    assert.ok(bad < 0, `gradient of input ${i} is ${g.data[bad]} at element ${bad}, expected exactly 0`);
  });
}

export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/** Elementwise |a - e| <= atol + rtol |e| (NaN only where expected NaN). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, what = 'value'): void {
  const rtol = tol.rtol ?? 1e-12;
  const atol = tol.atol ?? 1e-12;
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} elements, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}: element ${i} is ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Exactly equal data (same doubles). */
export function assertSameData(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'value'): void {
  assert.deepEqual(Array.from(actual), Array.from(expected), what);
}

export function assertShape(x: NDArray | Tensor, axes: readonly string[], sizes: readonly number[]): void {
  assert.deepEqual([...x.axes], [...axes], 'axes');
  assert.deepEqual([...x.sizes], [...sizes], 'sizes');
}

/** fn throws a ShapeError whose message contains every fragment. */
export function assertShapeError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof sg.ShapeError, `expected a ShapeError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

// ---- index arithmetic (independent of src/runtime/ndarray) -------------------

export function strides(sizes: readonly number[]): number[] {
  const out = sizes.map(() => 1);
  for (let i = sizes.length - 2; i >= 0; i--) out[i] = out[i + 1]! * sizes[i + 1]!;
  return out;
}

export function ravel(sizes: readonly number[], index: readonly number[]): number {
  const s = strides(sizes);
  return index.reduce((acc, k, i) => acc + k * s[i]!, 0);
}

export function unravel(sizes: readonly number[], flat: number): number[] {
  const out = sizes.map(() => 0);
  for (let i = sizes.length - 1; i >= 0; i--) {
    out[i] = flat % sizes[i]!;
    flat = Math.floor(flat / sizes[i]!);
  }
  return out;
}

/** The element of x at a named index (a record from axis to position). */
export function get(x: NDArray, index: Readonly<Record<string, number>>): number {
  return x.data[ravel(x.sizes, x.axes.map((a) => index[a]!))]!;
}

/** Every multi-index of a shape, row-major, as a record from axis name to position. */
export function* indices(axes: readonly string[], sizes: readonly number[]): Generator<Record<string, number>> {
  const n = numel(sizes);
  for (let flat = 0; flat < n; flat++) {
    const idx = unravel(sizes, flat);
    const rec: Record<string, number> = {};
    axes.forEach((a, i) => (rec[a] = idx[i]!));
    yield rec;
  }
}

/** An NDArray of a shape filled from a function of the named index. */
export function tabulate(axes: readonly string[], sizes: readonly number[], f: (index: Record<string, number>) => number): NDArray {
  return nd(axes, sizes, Array.from(indices(axes, sizes), f));
}

// ---- arbitraries -----------------------------------------------------------

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A random permutation of xs. */
export function permutation<X>(xs: readonly X[]): fc.Arbitrary<X[]> {
  return fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length });
}

/**
 * n values that are pairwise at least `spacing / 2` apart: a random
 * permutation of 0..n-1 times `spacing`, centred, plus jitter below spacing / 4.
 */
export function distinctValues(n: number, spacing = 0.25): fc.Arbitrary<number[]> {
  const jitter = fc.array(fc.double({ min: -spacing / 4, max: spacing / 4, noNaN: true }), { minLength: n, maxLength: n });
  return fc.tuple(permutation(range(n)), jitter).map(([perm, j]) => perm.map((p, i) => (p - (n - 1) / 2) * spacing + j[i]!));
}

/** A tensor value of a shape with pairwise distinct values (no ties for max). */
export function distinctTensor(axes: readonly string[], sizes: readonly number[], spacing = 0.25): fc.Arbitrary<NDArray> {
  return distinctValues(numel(sizes), spacing).map((xs) => nd(axes, sizes, xs));
}

/** The einsum user function with a spec known only at run time. */
export const einsumDyn = sg.einsum as unknown as (spec: string, ...operands: Tensor[]) => T;

/** 'A B, B C -> A C' from terms and output. */
export function einsumSpec(inputs: readonly (readonly string[])[], output: readonly string[]): string {
  return `${inputs.map((t) => t.join(' ')).join(', ')} -> ${output.join(' ')}`;
}
