/**
 * Linear over the last axis, in PyTorch's layout: weight [out, in], y = x·Wᵀ + b.
 * linear('C', 'D') maps [..., C] to [..., D] whatever the leading axes; the
 * output axis may equal the input axis (a square projection), in which case
 * the weight's output axis is named with a prime: [C', C].
 */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { contract } from '../ops/einsum.js';
import { add } from '../ops/elementwise.js';
import { broadcastTo, reshape } from '../ops/layout.js';
import { full } from '../ops/sources.js';
import type { ApplyContext, Layer } from './layer.js';
import { truncNormalInit } from './init.js';

/** The weight's output axis: O, or O' when O is also the input axis. */
export type WeightOut<I extends Axis, O extends Axis> = [O] extends [I] ? `${O}'` : O;

/** A linear layer's parameters: weight [O, I] (O primed when it equals I) and, by default, bias [O]. */
export type LinearParams<I extends Axis, O extends Axis, Bias extends boolean = true> = Bias extends true
  ? { readonly weight: Tensor<[WeightOut<I, O>, I]>; readonly bias: Tensor<[O]> }
  : { readonly weight: Tensor<[WeightOut<I, O>, I]> };

/** S with its last axis replaced by O: ReplaceLast<['B', 'N', 'C'], 'D'> is ['B', 'N', 'D']. */
export type ReplaceLast<S extends Shape, O extends Axis> = S extends readonly [...infer R extends Axis[], Axis] ? [...R, O] : never;

/** One value is a Layer<P, [...L, I], [...L, O]> for every leading L: apply is generic. */
export interface LinearLayer<I extends Axis, O extends Axis, P> extends Layer<P, readonly [...Axis[], I], [...Axis[], O]> {
  readonly inAxis: I;
  readonly outAxis: O;
  /** Fresh weight (and bias) for the sizes of I and O. */
  init(key: Key, sizes: Sizes): P;
  /** x·Wᵀ + b over the last axis I, which becomes O. */
  apply<S extends readonly [...Axis[], I]>(params: P, x: Tensor<S>, ctx?: ApplyContext): Tensor<ReplaceLast<S, O>>;
}

/** A linear layer: whether it has a bias, and the initial weights' standard deviation. */
export interface LinearOptions<Bias extends boolean> {
  /** Add a bias over the output axis (default true). */
  readonly bias?: Bias;
  /** Standard deviation of the truncated-normal initial weights (default 0.02, as XCiT, ResMLP and DINO). */
  readonly std?: number;
}

/** The name of a weight's output axis: O, or O' when O equals the input axis (a weight's two axes must differ). */
export const weightOutAxis = (i: string, o: string): string => (i === o ? `${o}'` : o);

/** y = x·Wᵀ + b over the axis I (untyped core, shared by the typed layer and by attention projections). */
export function linearApply(x: Tensor, weight: Tensor, bias: Tensor | undefined, inAxis: string, outAxis: string): Tensor {
  const axes = x.axes;
  if (axes[axes.length - 1] !== inAxis) {
    throw new ShapeError(`linear: expected the last axis of the input to be ${inAxis}, got [${axes.join(', ')}]`, { op: 'linear', axis: inAxis });
  }
  if (outAxis !== inAxis && axes.includes(outAxis)) {
    throw new ShapeError(`linear: the input [${axes.join(', ')}] already has the output axis ${outAxis}`, { op: 'linear', axis: outAxis });
  }
  const wOut = weightOutAxis(inAxis, outAxis);
  if (weight.rank !== 2 || weight.axes[0] !== wOut || weight.axes[1] !== inAxis) {
    throw new ShapeError(`linear: weight must have axes [${wOut}, ${inAxis}], got [${weight.axes.join(', ')}]`, { op: 'linear' });
  }
  const raw = contract(x, weight as Tensor<string[]>, inAxis) as Tensor;
  const y = wOut === outAxis ? raw : reshape(raw, [...raw.axes.slice(0, -1), outAxis], raw.sizes);
  return bias === undefined ? y : add(y as Tensor<string[]>, broadcastTo(bias, y.axes, y.sizes) as Tensor<string[]>);
}

/** A linear layer from axis I to axis O (PyTorch's nn.Linear initialisation unless a std is given). */
export function linear<const I extends Axis, const O extends Axis, const Bias extends boolean = true>(
  inAxis: I,
  outAxis: O,
  options: LinearOptions<Bias> = {},
): LinearLayer<I, O, LinearParams<I, O, Bias>> {
  const bias = options.bias ?? true;
  const std = options.std ?? 0.02;
  type P = LinearParams<I, O, Bias>;
  return {
    inAxis,
    outAxis,
    init(key: Key, sizes: Sizes): P {
      const wOut = weightOutAxis(inAxis, outAxis);
      const weight = truncNormalInit(key, [wOut, inAxis], { ...sizes, [wOut]: sizes[outAxis] ?? NaN }, std);
      return (bias ? { weight, bias: full(0, [outAxis], sizes) } : { weight }) as P;
    },
    apply<S extends readonly [...Axis[], I]>(params: P, x: Tensor<S>): Tensor<ReplaceLast<S, O>> {
      const p = params as { readonly weight: Tensor; readonly bias?: Tensor };
      return linearApply(x, p.weight, p.bias, inAxis, outAxis) as Tensor<ReplaceLast<S, O>>;
    },
  };
}
