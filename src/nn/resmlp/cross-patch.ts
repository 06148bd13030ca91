/**
 * ResMLP's cross-patch sublayer: a Linear over the TOKEN axis. In the official
 * code it is `nn.Linear(num_patches, num_patches)` applied to x.transpose(1, 2):
 *
 *   z[b, n, c] = Σ_m weight[n, m] · x[b, m, c] + bias[n]
 *
 * so it mixes tokens and never channels. PyTorch's layout is kept: weight
 * [N', N] (the output token axis primed, as linear names square projections),
 * bias [N]. Works on any tensor that has the token axis, wherever it sits.
 */
import type { Axis, Shape, Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Key } from '../../runtime/prng.js';
import { apply } from '../../ops/define.js';
import { einsumOp, type EinsumAttrs } from '../../ops/einsum.js';
import { add } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { full } from '../../ops/sources.js';
import { axisIndex } from '../../ops/check.js';
import { truncNormalInit } from '../init.js';
import type { ApplyContext, Layer } from '../layer.js';

/** The primed name of the weight's output token axis: N -> N'. */
export type Primed<N extends Axis> = `${N}'`;

/** The cross-patch layer's weight [N, N'] and bias. */
export interface CrossPatchParams<N extends Axis> {
  readonly weight: Tensor<[Primed<N>, N]>;
  readonly bias: Tensor<[N]>;
}

export interface CrossPatchLayer<N extends Axis> extends Layer<CrossPatchParams<N>, readonly Axis[], readonly Axis[]> {
  readonly axis: N;
  /** Fresh patch-mixing weight and bias for the number of patches. */
  init(key: Key, sizes: Sizes): CrossPatchParams<N>;
  /** Tokens mixed across patches (a linear layer along N), per channel. */
  apply<S extends Shape>(params: CrossPatchParams<N>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S>;
}

/** The cross-patch layer's initial weights' standard deviation. */
export interface CrossPatchOptions {
  /** Std of the truncated-normal initial weight (default 0.02, ResMLP's _init_weights). */
  readonly std?: number;
}

/** z = W ·_N x + b over the axis N (untyped core). */
export function crossPatchApply(x: Tensor, weight: Tensor, bias: Tensor, axis: string): Tensor {
  axisIndex('crossPatch', x, axis);
  const primed = `${axis}'`;
  if (weight.rank !== 2 || weight.axes[0] !== primed || weight.axes[1] !== axis) {
    throw new ShapeError(`crossPatch: weight must have axes [${primed}, ${axis}], got [${weight.axes.join(', ')}]`, { op: 'crossPatch', axis });
  }
  if (bias.rank !== 1 || bias.axes[0] !== axis) throw new ShapeError(`crossPatch: bias must have the one axis ${axis}, got [${bias.axes.join(', ')}]`, { op: 'crossPatch', axis });
  if (x.axes.includes(primed)) throw new ShapeError(`crossPatch: the input [${x.axes.join(', ')}] already has the axis ${primed}`, { op: 'crossPatch', axis: primed });
  const attrs: EinsumAttrs = { inputs: [x.axes, weight.axes], output: x.axes.map((a) => (a === axis ? primed : a)) };
  const mixed = apply(einsumOp, [x, weight], attrs);
  const z = reshape(mixed, [...x.axes], mixed.sizes);
  return add(z as Tensor<string[]>, broadcastTo(bias, z.axes, z.sizes) as Tensor<string[]>);
}

/** crossPatch('N'): a Linear over the token axis N, weight [N', N], bias [N]. */
export function crossPatch<const N extends Axis>(axis: N, options: CrossPatchOptions = {}): CrossPatchLayer<N> {
  const std = options.std ?? 0.02;
  return {
    axis,
    init(key: Key, sizes: Sizes): CrossPatchParams<N> {
      const n = sizes[axis];
      if (n === undefined) throw new ShapeError(`crossPatch: no size bound for the token axis ${axis}`, { op: 'crossPatch', axis });
      const primed = `${axis}'` as Primed<N>;
      const weight = truncNormalInit(key, [primed, axis], { [primed]: n, [axis]: n }, std) as Tensor<[Primed<N>, N]>;
      return { weight, bias: full(0, [axis], { [axis]: n }) as Tensor<[N]> };
    },
    apply<S extends Shape>(params: CrossPatchParams<N>, x: Tensor<S>): Tensor<S> {
      return crossPatchApply(x, params.weight, params.bias, axis) as Tensor<S>;
    },
  };
}
