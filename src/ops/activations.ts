/** Activations as compositions of primitives. */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div, erf, exp, log, maximum, mul, neg } from './elementwise.js';

/** max(x, 0); the gradient at exactly 0 is 1/2 (the tie rule of maximum). */
export const relu = <S extends Shape>(x: Tensor<S>): Tensor<S> => maximum(x, 0);

/** 1 / (1 + e^-x), elementwise. */
export const sigmoid = <S extends Shape>(x: Tensor<S>): Tensor<S> => div(1, add(1, exp(neg(x))));

/** x², elementwise. */
export const square = <S extends Shape>(x: Tensor<S>): Tensor<S> => mul(x, x);

/** log(1 + e^x), written to stay finite for large |x|. */
export const softplus = <S extends Shape>(x: Tensor<S>): Tensor<S> => add(maximum(x, 0), log(add(1, exp(neg(absLike(x))))));

const absLike = <S extends Shape>(x: Tensor<S>): Tensor<S> => maximum(x, neg(x));

/** Exact GELU, x/2 (1 + erf(x/√2)), evaluated in PyTorch's order so float64 results agree to the last bits. */
export const gelu = <S extends Shape>(x: Tensor<S>): Tensor<S> => mul(mul(x, 0.5), add(1, erf(mul(x, Math.SQRT1_2))));
