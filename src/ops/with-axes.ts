/**
 * A checked statement of a tensor's axes: where generic shape arithmetic
 * (contract's or mean's result over type parameters) is beyond the type
 * checker, `withAxes(x, [rows, k])` checks at run time that x's axes are
 * these, in this order, and types x so. No graph node; a mismatch throws.
 */
import type { Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { labelOf } from './check.js';

/** x typed with the given axes, after checking at run time that they are x's, in order (throws otherwise). */
export function withAxes<const S extends Shape>(x: Tensor, axes: S): Tensor<S> {
  if (x.axes.length !== axes.length || x.axes.some((a, i) => a !== axes[i])) {
    throw new ShapeError(`withAxes: ${labelOf(x)} has axes [${x.axes.join(', ')}], not [${axes.join(', ')}]`);
  }
  return x as Tensor<S>;
}
