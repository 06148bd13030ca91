/** timm's Mlp: fc1 -> activation -> fc2 over the last axis (dropout 0 as in the models here). */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { gelu } from '../ops/activations.js';
import { linearApply, type LinearParams, type ReplaceLast } from './linear.js';
import { linear } from './linear.js';
import type { ApplyContext, Layer } from './layer.js';

/** An MLP's two linear layers. */
export interface MlpParams<I extends Axis, H extends Axis, O extends Axis> {
  readonly fc1: LinearParams<I, H>;
  readonly fc2: LinearParams<H, O>;
}

export interface MlpLayer<I extends Axis, H extends Axis, O extends Axis> extends Layer<MlpParams<I, H, O>, readonly [...Axis[], I], [...Axis[], O]> {
  /** Fresh parameters of both linear layers. */
  init(key: Key, sizes: Sizes): MlpParams<I, H, O>;
  /** fc2(activation(fc1(x))) over the last axis: I to H to O. */
  apply<S extends readonly [...Axis[], I]>(params: MlpParams<I, H, O>, x: Tensor<S>, ctx?: ApplyContext): Tensor<ReplaceLast<S, O>>;
}

/** An MLP's activation and its initial weights' standard deviation. */
export interface MlpOptions {
  /** The activation between the two layers (default GELU). */
  readonly activation?: <S extends Shape>(x: Tensor<S>) => Tensor<S>;
  readonly std?: number;
}

/** mlp('C', 'H') maps [..., C] to [..., C] through a hidden axis H; mlp('C', 'H', 'D') ends on D. */
export function mlp<const I extends Axis, const H extends Axis, const O extends Axis = I>(inAxis: I, hiddenAxis: H, outAxis?: O, options: MlpOptions = {}): MlpLayer<I, H, O> {
  const out = (outAxis ?? inAxis) as O;
  const fc1 = linear(inAxis, hiddenAxis, options.std === undefined ? {} : { std: options.std });
  const fc2 = linear(hiddenAxis, out, options.std === undefined ? {} : { std: options.std });
  const act = options.activation ?? gelu;
  return {
    init(key: Key, sizes: Sizes) {
      const [k1, k2] = split(key);
      return { fc1: fc1.init(k1!, sizes), fc2: fc2.init(k2!, sizes) } as MlpParams<I, H, O>;
    },
    apply<S extends readonly [...Axis[], I]>(p: MlpParams<I, H, O>, x: Tensor<S>): Tensor<ReplaceLast<S, O>> {
      const h = act(linearApply(x, p.fc1.weight, p.fc1.bias, inAxis, hiddenAxis));
      return linearApply(h, p.fc2.weight, p.fc2.bias, hiddenAxis, out) as Tensor<ReplaceLast<S, O>>;
    },
  };
}
