/**
 * Layers: a pair of pure functions, `init` (key and sizes to parameters) and
 * `apply` (parameters and input to output). Parameters are plain records of
 * tensors, so they are pytrees that `trace`, `grad` and `evaluate` accept.
 */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { contract } from '../ops/einsum.js';
import { add, mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { truncatedNormal } from '../ops/random.js';
import { full } from '../ops/sources.js';

/** A layer maps a Tensor<In> to a Tensor<Out> with parameters P. */
export interface Layer<P, In extends Shape, Out extends Shape> {
  init(key: Key, sizes: Sizes): P;
  apply(params: P, x: Tensor<In>): Tensor<Out>;
}

/** The parameters of `linear(I, O)`: weights over [I, O] and, unless disabled, a bias over [O]. */
export type LinearParams<I extends Axis, O extends Axis, Bias extends boolean = true> = Bias extends true
  ? { readonly w: Tensor<[I, O]>; readonly b: Tensor<[O]> }
  : { readonly w: Tensor<[I, O]> };

/** S with its last axis replaced by O: ReplaceLast<['B', 'N', 'C'], 'D'> is ['B', 'N', 'D']. */
export type ReplaceLast<S extends Shape, O extends Axis> = S extends readonly [...infer R extends Axis[], Axis] ? [...R, O] : never;

/**
 * A linear layer over the last axis I. Its `apply` is generic in the leading
 * axes, so one value is a `Layer<P, [...L, I], [...L, O]>` for every L (e.g. it
 * can be stored as `Layer<LinearParams<'C', 'D'>, ['B', 'N', 'C'], ['B', 'N', 'D']>`).
 */
export interface LinearLayer<I extends Axis, O extends Axis, P> extends Layer<P, readonly [...Axis[], I], [...Axis[], O]> {
  readonly inAxis: I;
  readonly outAxis: O;
  init(key: Key, sizes: Sizes): P;
  apply<S extends readonly [...Axis[], I]>(params: P, x: Tensor<S>): Tensor<ReplaceLast<S, O>>;
}

/** Intersect a parameter with this to reject O equal to I (never then). */
type Distinct<I extends Axis, O extends Axis> = [O] extends [I] ? never : unknown;

export interface LinearOptions<Bias extends boolean> {
  /** Add a bias over the output axis (default true). */
  readonly bias?: Bias;
}

/** Standard deviation of the initial weights (truncated at two standard deviations). */
const WEIGHT_STD = 0.02;

/**
 * y = x·w (+ b) over the last axis of x: `linear('C', 'D')` maps [..., C] to
 * [..., D]. Weights start as a truncated normal of std 0.02 drawn from the
 * key, biases as zeros; `init` needs the sizes of I and O.
 */
export function linear<const I extends Axis, const O extends Axis, const Bias extends boolean = true>(
  inAxis: I,
  outAxis: O & Distinct<I, O>,
  options: LinearOptions<Bias> = {},
): LinearLayer<I, O, LinearParams<I, O, Bias>> {
  if ((inAxis as Axis) === outAxis) {
    // Rejected by the types too (Distinct); this guards untyped callers.
    throw new ShapeError(`linear: the input and output axes must differ, got ${inAxis} for both`, { op: 'linear', axis: inAxis });
  }
  const o: O = outAxis;
  const bias = options.bias ?? true;
  type P = LinearParams<I, O, Bias>;
  return {
    inAxis,
    outAxis: o,
    init(key: Key, sizes: Sizes): P {
      const w = mul(truncatedNormal(key, [inAxis, o], sizes), WEIGHT_STD);
      return (bias ? { w, b: full(0, [o], sizes) } : { w }) as P;
    },
    apply<S extends readonly [...Axis[], I]>(params: P, x: Tensor<S>): Tensor<ReplaceLast<S, O>> {
      const axes: readonly Axis[] = x.axes;
      if (axes[axes.length - 1] !== inAxis) {
        throw new ShapeError(`linear: expected the last axis of the input to be ${inAxis}, got [${axes.join(', ')}]`, { op: 'linear', axis: inAxis });
      }
      if (axes.includes(o)) {
        throw new ShapeError(`linear: the input [${axes.join(', ')}] already has the output axis ${o}`, { op: 'linear', axis: o });
      }
      const p = params as { readonly w: Tensor; readonly b?: Tensor };
      const y: Tensor = contract(x as Tensor, p.w, inAxis);
      const out = p.b === undefined ? y : add(y, broadcastTo(p.b, y.axes, y.sizes));
      return out as Tensor<ReplaceLast<S, O>>;
    },
  };
}
