/** Slice, pad and concat along one named axis; each is the other's gradient. */
import type { Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { forEachOffset, numelOf, stridesOf } from '../runtime/ndarray.js';
import { apply, defineOp } from './define.js';
import { axisIndex, labelOf } from './check.js';
import { add } from './elementwise.js';

export interface SliceAttrs {
  readonly [key: string]: string | number;
  readonly axis: string;
  readonly start: number;
  readonly stop: number;
  readonly step: number;
}

const sliceLength = (a: SliceAttrs): number => Math.max(0, Math.ceil((a.stop - a.start) / a.step));

/** Copy x into out, where x's element k along `axis` lands at offset + k * spacing. */
function place(x: { sizes: readonly number[]; data: Float64Array }, outSizes: readonly number[], d: number, offset: number, spacing: number, fillValue: number): Float64Array {
  const out = new Float64Array(numelOf(outSizes)).fill(fillValue);
  const outStrides = stridesOf(outSizes);
  const mapped = outStrides.map((s, i) => (i === d ? s * spacing : s));
  const base = offset * outStrides[d]!;
  forEachOffset(x.sizes, [stridesOf(x.sizes), mapped], ([i, o]) => {
    out[base + o!] = x.data[i!]!;
  });
  return out;
}

export const sliceOp = defineOp<SliceAttrs>({
  name: 'slice',
  shape: ([x], a) => {
    const d = axisIndex('slice', x!, a.axis);
    const n = x!.sizes[d]!;
    const ok = Number.isInteger(a.start) && Number.isInteger(a.stop) && Number.isInteger(a.step) && a.step > 0 && a.start >= 0 && a.stop <= n && a.start <= a.stop;
    if (!ok) throw new ShapeError(`slice: [${a.start}:${a.stop}:${a.step}] is not a valid slice of axis ${a.axis} (size ${n}) of ${labelOf(x!)}`, { op: 'slice', axis: a.axis, sizes: [n] });
    const sizes = [...x!.sizes];
    sizes[d] = sliceLength(a);
    return { axes: x!.axes, sizes };
  },
  evaluate: ([x], a, out) => {
    const d = x!.axes.indexOf(a.axis);
    const inStrides = stridesOf(x!.sizes);
    const mapped = inStrides.map((s, i) => (i === d ? s * a.step : s));
    const base = a.start * inStrides[d]!;
    const result = new Float64Array(numelOf(out.sizes));
    forEachOffset(out.sizes, [stridesOf(out.sizes), mapped], ([o, i]) => {
      result[o!] = x!.data[base + i!]!;
    });
    return result;
  },
  vjp: (node, g, a) => {
    const x = node.inputs[0]!;
    const n = x.size(a.axis);
    const m = sliceLength(a);
    const hi = m === 0 ? n - a.start : n - a.start - (m - 1) * a.step - 1;
    return [pad(g, a.axis, a.start, hi, a.step - 1)];
  },
  describe: (a) => `${a.axis}[${a.start}:${a.stop}${a.step === 1 ? '' : `:${a.step}`}]`,
});

/** x along `axis` from start (inclusive) to stop (exclusive) every step. */
export function slice<S extends Shape>(x: Tensor<S>, axis: S[number], start: number, stop: number, step = 1): Tensor<S> {
  return apply<S, SliceAttrs>(sliceOp, [x], { axis, start, stop, step });
}

export interface PadAttrs {
  readonly [key: string]: string | number;
  readonly axis: string;
  readonly lo: number;
  readonly hi: number;
  readonly interior: number;
  readonly value: number;
}

export const padOp = defineOp<PadAttrs>({
  name: 'pad',
  shape: ([x], a) => {
    const d = axisIndex('pad', x!, a.axis);
    const ok = [a.lo, a.hi, a.interior].every((v) => Number.isInteger(v) && v >= 0);
    if (!ok) throw new ShapeError(`pad: lo=${a.lo}, hi=${a.hi}, interior=${a.interior} on axis ${a.axis} must be non-negative integers`, { op: 'pad', axis: a.axis });
    const n = x!.sizes[d]!;
    const sizes = [...x!.sizes];
    sizes[d] = a.lo + n + Math.max(0, n - 1) * a.interior + a.hi;
    return { axes: x!.axes, sizes };
  },
  evaluate: ([x], a, out) => place(x!, out.sizes, x!.axes.indexOf(a.axis), a.lo, a.interior + 1, a.value),
  vjp: (node, g, a) => {
    const n = node.inputs[0]!.size(a.axis);
    return [slice(g, a.axis, a.lo, a.lo + Math.max(0, n - 1) * (a.interior + 1) + (n > 0 ? 1 : 0), a.interior + 1)];
  },
  describe: (a) => `${a.axis} lo=${a.lo} hi=${a.hi}${a.interior ? ` interior=${a.interior}` : ''}${a.value ? ` value=${a.value}` : ''}`,
});

/** Pad along `axis`: lo values before, hi after, interior between neighbours (as lax.pad). */
export function pad<S extends Shape>(x: Tensor<S>, axis: S[number], lo: number, hi: number, interior = 0, value = 0): Tensor<S> {
  return apply<S, PadAttrs>(padOp, [x], { axis, lo, hi, interior, value });
}

export interface ConcatAttrs {
  readonly [key: string]: string;
  readonly axis: string;
}

export const concatOp = defineOp<ConcatAttrs>({
  name: 'concat',
  shape: (xs, a) => {
    if (xs.length === 0) throw new ShapeError('concat: needs at least one tensor', { op: 'concat' });
    const first = xs[0]!;
    const d = axisIndex('concat', first, a.axis);
    let total = 0;
    for (const x of xs) {
      const same = x.axes.length === first.axes.length && x.axes.every((ax, i) => ax === first.axes[i]);
      if (!same) throw new ShapeError(`concat: ${labelOf(x)} has axes [${x.axes.join(', ')}] but ${labelOf(first)} has [${first.axes.join(', ')}]`, { op: 'concat' });
      x.axes.forEach((ax, i) => {
        if (i !== d && x.sizes[i] !== first.sizes[i]) {
          throw new ShapeError(`concat: axis ${ax} has size ${first.sizes[i]} in ${labelOf(first)} but ${x.sizes[i]} in ${labelOf(x)}`, { op: 'concat', axis: ax, sizes: [first.sizes[i]!, x.sizes[i]!] });
        }
      });
      total += x.sizes[d]!;
    }
    const sizes = [...first.sizes];
    sizes[d] = total;
    return { axes: first.axes, sizes };
  },
  evaluate: (xs, a, out) => {
    const d = out.axes.indexOf(a.axis);
    const result = new Float64Array(numelOf(out.sizes));
    const outStrides = stridesOf(out.sizes);
    let offset = 0;
    for (const x of xs) {
      // Copy each part into its block (adding it to zeros would turn -0 into +0).
      const base = offset * outStrides[d]!;
      forEachOffset(x.sizes, [stridesOf(x.sizes), outStrides], ([i, o]) => {
        result[base + o!] = x.data[i!]!;
      });
      offset += x.sizes[d]!;
    }
    return result;
  },
  vjp: (node, g, a) => {
    let offset = 0;
    return node.inputs.map((x) => {
      const n = x.size(a.axis);
      const part = slice(g, a.axis, offset, offset + n);
      offset += n;
      return part;
    });
  },
  describe: (a) => `axis=${a.axis}`,
});

/** Join tensors with the same axes along one of them. */
export function concat<S extends Shape>(xs: readonly Tensor<S>[], axis: S[number]): Tensor<S> {
  if (xs.length === 1) return xs[0]!;
  return apply<S, ConcatAttrs>(concatOp, xs, { axis });
}

/** Sum of tensors with the same shape (used to accumulate gradients). */
export function addAll<S extends Shape>(xs: readonly Tensor<S>[]): Tensor<S> {
  if (xs.length === 0) throw new ShapeError('addAll: needs at least one tensor');
  return xs.slice(1).reduce<Tensor<S>>((acc, x) => add(acc, x), xs[0]!);
}
