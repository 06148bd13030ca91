/**
 * Concrete values: float64 data, row-major, with the named axes and sizes of
 * the tensor they are the value of. The reference interpreter computes these.
 */
import type { Shape } from '../shape/types.js';

/** A concrete array: axes, sizes and float64 data (row-major). */
export interface NDArray<S extends Shape = Shape> {
  readonly axes: S;
  readonly sizes: readonly number[];
  readonly data: Float64Array;
}

export function stridesOf(sizes: readonly number[]): number[] {
  const strides = new Array<number>(sizes.length);
  let s = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= sizes[i]!;
  }
  return strides;
}

export function numelOf(sizes: readonly number[]): number {
  return sizes.reduce((a, b) => a * b, 1);
}

/**
 * Strides of `from` laid out along the axes `to`: for each axis of `to`, the
 * stride of that axis in `from`, or 0 when `from` lacks it (broadcasting).
 */
export function stridesAlong(fromAxes: readonly string[], fromSizes: readonly number[], toAxes: readonly string[]): number[] {
  const strides = stridesOf(fromSizes);
  return toAxes.map((a) => {
    const i = fromAxes.indexOf(a);
    return i < 0 ? 0 : strides[i]!;
  });
}

/**
 * Visit every multi-index of `sizes` in row-major order, giving for each the
 * offsets into several arrays whose strides along those axes are known.
 */
export function forEachOffset(sizes: readonly number[], strides: readonly (readonly number[])[], visit: (offsets: readonly number[]) => void): void {
  const rank = sizes.length;
  const total = numelOf(sizes);
  if (total === 0) return;
  const index = new Array<number>(rank).fill(0);
  const offsets = strides.map(() => 0);
  for (let n = 0; n < total; n++) {
    visit(offsets);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]! += 1;
      for (let k = 0; k < strides.length; k++) offsets[k]! += strides[k]![d]!;
      if (index[d]! < sizes[d]!) break;
      for (let k = 0; k < strides.length; k++) offsets[k]! -= strides[k]![d]! * sizes[d]!;
      index[d] = 0;
    }
  }
}

/** Read one element by named index, e.g. at(v, { B: 1, C: 0 }). */
export function at(value: NDArray, index: Readonly<Record<string, number>>): number {
  const strides = stridesOf(value.sizes);
  let offset = 0;
  value.axes.forEach((a, i) => {
    const k = index[a];
    if (k === undefined || k < 0 || k >= value.sizes[i]!) throw new RangeError(`index for axis ${a} is ${k}, outside [0, ${value.sizes[i]})`);
    offset += k * strides[i]!;
  });
  return value.data[offset]!;
}

/** Nested JavaScript arrays, for printing and for tests. */
export function toNested(value: NDArray): unknown {
  const strides = stridesOf(value.sizes);
  const build = (d: number, offset: number): unknown =>
    d === value.sizes.length
      ? value.data[offset]
      : Array.from({ length: value.sizes[d]! }, (_, i) => build(d + 1, offset + i * strides[d]!));
  return build(0, 0);
}
