/**
 * fast-check arbitraries for sizes, shapes and tensors, for property tests of
 * users' own layers (and ours).
 */
import fc from 'fast-check';
import type { NDArray } from '../runtime/ndarray.js';
import { numelOf } from '../runtime/ndarray.js';

/** Limits of random sizes. */
export interface SizeOptions {
  readonly min?: number;
  readonly max?: number;
}

/** A size for one axis (1..4 by default: small enough for finite differences). */
export const axisSize = (options: SizeOptions = {}): fc.Arbitrary<number> => fc.integer({ min: options.min ?? 1, max: options.max ?? 4 });

/** Sizes for the named axes, as a record. */
export function sizesFor<const A extends string>(axes: readonly A[], options: SizeOptions = {}): fc.Arbitrary<Record<A, number>> {
  return fc.record(Object.fromEntries(axes.map((a) => [a, axisSize(options)])) as Record<A, fc.Arbitrary<number>>) as fc.Arbitrary<Record<A, number>>;
}

/** A random shape: axes and sizes. */
export interface ShapeSample {
  readonly axes: string[];
  readonly sizes: number[];
}

/** Limits of random shapes: rank and axis names. */
export interface ShapeOptions extends SizeOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  /** Names to draw axes from, in order (default 'A'..'F'). */
  readonly names?: readonly string[];
}

/** A shape: distinct axis names (drawn in order from `names`) with sizes. */
export function shape(options: ShapeOptions = {}): fc.Arbitrary<ShapeSample> {
  const names = options.names ?? ['A', 'B', 'C', 'D', 'E', 'F'];
  return fc
    .integer({ min: options.minRank ?? 0, max: Math.min(options.maxRank ?? 3, names.length) })
    .chain((rank) => fc.array(axisSize(options), { minLength: rank, maxLength: rank }).map((sizes) => ({ axes: names.slice(0, rank), sizes })));
}

/** Limits of random values. */
export interface ValueOptions {
  readonly min?: number;
  readonly max?: number;
  /** Keep values at least this far from each of these points (kinks of abs, relu, floor, ...). */
  readonly awayFrom?: readonly number[];
  readonly margin?: number;
}

/** A finite double in [min, max], optionally kept away from given points. */
export function value(options: ValueOptions = {}): fc.Arbitrary<number> {
  const min = options.min ?? -2;
  const max = options.max ?? 2;
  const margin = options.margin ?? 1e-2;
  const away = options.awayFrom ?? [];
  return fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .map((v) => {
      for (const p of away) {
        if (Math.abs(v - p) < margin) return v < p ? p - margin : p + margin;
      }
      return v;
    })
    .filter((v) => v >= min && v <= max && away.every((p) => Math.abs(v - p) >= margin * 0.999));
}

/** A tensor value of the given shape. */
export function tensorOf(axes: readonly string[], sizes: readonly number[], options: ValueOptions = {}): fc.Arbitrary<NDArray> {
  const n = numelOf(sizes);
  return fc.array(value(options), { minLength: n, maxLength: n }).map((xs) => ({ axes: [...axes], sizes: [...sizes], data: Float64Array.from(xs) }));
}

/** A tensor value of a random shape. */
export function tensor(shapeOptions: ShapeOptions = {}, valueOptions: ValueOptions = {}): fc.Arbitrary<NDArray> {
  return shape(shapeOptions).chain((s) => tensorOf(s.axes, s.sizes, valueOptions));
}
