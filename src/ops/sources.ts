/** Ops without tensor inputs: constants, formal inputs, fills and ranges. */
import type { Shape, Sizes } from '../shape/types.js';
import { InputError, ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { numelOf, stridesOf } from '../runtime/ndarray.js';
import { apply, defineOp, noGradient } from './define.js';
import { requireSizes } from './check.js';

type SizeSpec = Sizes | readonly number[];

/** Sizes for `axes`, from a record keyed by axis name or a list in axis order. */
export function resolveSizes(op: string, axes: readonly string[], sizes: SizeSpec): number[] {
  if (Array.isArray(sizes)) return [...(sizes as readonly number[])];
  const record = sizes as Sizes;
  return axes.map((a) => {
    const n = record[a];
    if (n === undefined) throw new ShapeError(`${op}: no size bound for axis ${a} (bound: ${Object.keys(record).join(', ') || 'none'})`, { op, axis: a });
    return n;
  });
}

export interface ConstantAttrs {
  readonly [key: string]: Float64Array | string | null | readonly string[] | readonly number[];
  readonly data: Float64Array;
  readonly name: string | null;
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

const shapeFromAttrs = (op: string) => (_: readonly Tensor[], attrs: { readonly axes: readonly string[]; readonly sizes: readonly number[] }) => {
  requireSizes(op, attrs.axes, attrs.sizes);
  return { axes: attrs.axes, sizes: attrs.sizes };
};

export const constantOp = defineOp<ConstantAttrs>({
  name: 'constant',
  shape: shapeFromAttrs('constant'),
  evaluate: (_, attrs) => attrs.data,
  vjp: noGradient,
  describe: (a) => (a.name ? `name=${a.name}` : a.data.length <= 4 ? `[${Array.from(a.data).join(', ')}]` : `<${a.data.length} values>`),
});

export interface FromArrayOptions {
  /** Used in error messages and printed graphs. */
  readonly name?: string;
  /** NaN and ±Infinity are rejected unless this is true. */
  readonly allowNonFinite?: boolean;
}

/** Check user data against a shape, naming the input in every message. */
export function validateData(name: string, data: ArrayLike<number>, axes: readonly string[], sizes: readonly number[], allowNonFinite = false): Float64Array {
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new InputError(`input ${name}: expected an array of numbers or a typed array; got ${data === null ? 'null' : typeof data}`, name);
  }
  const expected = numelOf(sizes);
  const shape = `[${axes.map((a, i) => `${a}=${sizes[i]}`).join(', ')}]`;
  if (data.length !== expected) {
    throw new InputError(`input ${name}: ${data.length} values given, but shape ${shape} needs ${expected}`, name);
  }
  const out = Float64Array.from(data);
  if (!allowNonFinite) {
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const idx = unravel(bad, sizes).map((k, i) => `${axes[i]}=${k}`).join(', ');
      throw new InputError(`input ${name}: value ${out[bad]} at [${idx}] is not finite`, name);
    }
  }
  return out;
}

function unravel(flat: number, sizes: readonly number[]): number[] {
  const strides = stridesOf(sizes);
  return strides.map((s, i) => Math.floor(flat / s) % sizes[i]!);
}

/** A constant tensor from flat row-major data. */
export function fromArray<const S extends string[]>(data: ArrayLike<number>, axes: S, sizes: SizeSpec, options: FromArrayOptions = {}): Tensor<S> {
  const resolved = resolveSizes('fromArray', axes, sizes);
  requireSizes('fromArray', axes, resolved);
  const name = options.name ?? 'array';
  const values = validateData(name, data, axes, resolved, options.allowNonFinite);
  return apply<S, ConstantAttrs>(constantOp, [], { data: values, name: options.name ?? null, axes, sizes: resolved });
}

/** A scalar constant. */
export function scalar(value: number, name?: string): Tensor<[]> {
  return fromArray([value], [], [], { allowNonFinite: true, ...(name === undefined ? {} : { name }) });
}

export interface InputAttrs {
  readonly [key: string]: string | number | readonly string[] | readonly number[];
  readonly name: string;
  readonly index: number;
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

/** A formal input of a traced program; its value is bound when the graph runs. */
export const inputOp = defineOp<InputAttrs>({
  name: 'input',
  shape: shapeFromAttrs('input'),
  evaluate: (_, attrs) => {
    throw new Error(`input ${attrs.name} has no value: bind it when running the graph`);
  },
  vjp: noGradient,
  describe: (a) => `${a.name}`,
});

export interface FillAttrs {
  readonly [key: string]: number | readonly string[] | readonly number[];
  readonly value: number;
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

export const fillOp = defineOp<FillAttrs>({
  name: 'fill',
  shape: shapeFromAttrs('fill'),
  evaluate: (_, attrs, out) => new Float64Array(numelOf(out.sizes)).fill(attrs.value),
  vjp: noGradient,
  describe: (a) => `value=${a.value}`,
});

/** A tensor of one value with the given axes and sizes. */
export function full<const S extends string[]>(value: number, axes: S, sizes: SizeSpec): Tensor<S> {
  return apply<S, FillAttrs>(fillOp, [], { value, axes, sizes: resolveSizes('full', axes, sizes) });
}

/** A tensor of one value shaped like x. */
export function fullLike<S extends Shape>(value: number, x: Tensor<S>): Tensor<S> {
  return apply<S, FillAttrs>(fillOp, [], { value, axes: x.axes, sizes: x.sizes });
}

export const zerosLike = <S extends Shape>(x: Tensor<S>): Tensor<S> => fullLike(0, x);
export const onesLike = <S extends Shape>(x: Tensor<S>): Tensor<S> => fullLike(1, x);

export interface IotaAttrs {
  readonly [key: string]: string | readonly string[] | readonly number[];
  readonly along: string;
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

/** The index along one axis, broadcast over the others (like jax.lax.iota / broadcasted_iota). */
export const iotaOp = defineOp<IotaAttrs>({
  name: 'iota',
  shape: (inputs, attrs) => {
    const out = shapeFromAttrs('iota')(inputs, attrs);
    if (!attrs.axes.includes(attrs.along)) throw new ShapeError(`iota: axis ${attrs.along} is not among [${attrs.axes.join(', ')}]`, { op: 'iota', axis: attrs.along });
    return out;
  },
  evaluate: (_, attrs, out) => {
    const d = attrs.axes.indexOf(attrs.along);
    const strides = stridesOf(out.sizes);
    const result = new Float64Array(numelOf(out.sizes));
    for (let i = 0; i < result.length; i++) result[i] = Math.floor(i / strides[d]!) % out.sizes[d]!;
    return result;
  },
  vjp: noGradient,
  describe: (a) => `along=${a.along}`,
});

export function iota<const S extends string[]>(along: S[number], axes: S, sizes: SizeSpec): Tensor<S> {
  return apply<S, IotaAttrs>(iotaOp, [], { along, axes, sizes: resolveSizes('iota', axes, sizes) });
}
