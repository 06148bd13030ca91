/**
 * Layer scale (CaiT, XCiT, ResMLP): a branch's output times learned factors
 * on one axis, initialised to a small eta. The one implementation: the
 * `layerScale` combinator and the models that keep the official parameter
 * names (`gamma1`, `gamma_1`) both call it.
 */
import type { Axis, Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { mul } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { filled } from './parameter.js';
import type { Field } from './record.js';

/** y ⊙ gamma, gamma broadcast along y's other axes. */
export function scaleBy<S extends Shape, C extends S[number]>(gamma: Tensor<[C]>, y: Tensor<S>): Tensor<S> {
  return mul(y, broadcastTo(gamma, y.axes, y.sizes) as Tensor<S>);
}

/** The factors as a record field: eta on every entry of `axis`. */
export const gamma = <const C extends Axis>(axis: C, eta: number): Field<Tensor<[C]>> => filled(eta, [axis]);
