/** Initialisers as the official code does them, from explicit keys. */
import type { Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { truncatedNormal, uniform } from '../ops/random.js';
import { mul, sub } from '../ops/elementwise.js';

/**
 * timm's trunc_normal_(std, a=-2, b=2): a normal of the given std truncated
 * at the ABSOLUTE bounds a and b (so with std 0.02 it is, in practice, a
 * plain normal).
 */
export function truncNormalInit<const S extends string[]>(key: Key, axes: S, sizes: Sizes, std = 0.02, a = -2, b = 2): Tensor<S> {
  axes.forEach((axis) => {
    const n = sizes[axis];
    if (n === undefined || Number.isNaN(n)) throw new ShapeError(`init: no size bound for axis ${axis}`, { axis });
  });
  return mul(truncatedNormal(key, axes, sizes, a / std, b / std), std);
}

/** Uniform in (-bound, bound), PyTorch's default for Linear and Conv2d (bound = 1/sqrt(fan_in)). */
export function uniformIn<const S extends string[]>(key: Key, axes: S, sizes: Sizes, bound: number): Tensor<S> {
  return mul(sub(mul(uniform(key, axes, sizes), 2), 1), bound);
}
