/** Activations as compositions of primitives. */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div, erf, exp, maximum, mul, neg, unary, unaryOp } from './elementwise.js';

/** max(x, 0); the gradient at exactly 0 is 1/2 (the tie rule of maximum). */
export const relu = <S extends Shape>(x: Tensor<S>): Tensor<S> => maximum(x, 0);

/** 1 / (1 + e^-x), elementwise. */
export const sigmoid = <S extends Shape>(x: Tensor<S>): Tensor<S> => div(1, add(1, exp(neg(x))));

/** x², elementwise. */
export const square = <S extends Shape>(x: Tensor<S>): Tensor<S> => mul(x, x);

/** The softplus primitive: log(1 + e^x) as max(x, 0) + log1p(e^-|x|), finite and accurate for every x; its gradient is sigmoid(x). */
export const softplusOp = unaryOp('softplus', (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), (node, g) => [mul(g, sigmoid(node.inputs[0]!))]);

/** log(1 + e^x), elementwise (PyTorch's softplus with beta 1, without its linear threshold). */
export const softplus = unary(softplusOp);

/** Exact GELU, x/2 (1 + erf(x/√2)), evaluated in PyTorch's order so float64 results agree to the last bits. */
export const gelu = <S extends Shape>(x: Tensor<S>): Tensor<S> => mul(mul(x, 0.5), add(1, erf(mul(x, Math.SQRT1_2))));
