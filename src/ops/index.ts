/** The op vocabulary users write programs with: primitives and compositions. */
export { fromArray, scalar, full, fullLike, zerosLike, onesLike, iota, type FromArrayOptions } from './sources.js';
export {
  neg, exp, log, sqrt, reciprocal, abs, sign, floor, sin, cos, tanh, erf,
  add, sub, mul, div, maximum, minimum, pow, less, greater, equal, select,
  type BinaryFn,
} from './elementwise.js';
export { sum, max } from './reduce.js';
export { broadcast, broadcastLike, reshape, flatten, unflatten, rename, transpose } from './layout.js';
export { withAxes } from './with-axes.js';
export { slice, pad, concat, addAll } from './slicing.js';
export { einsum, contract } from './einsum.js';
export { gather, scatterAdd, oneHot } from './gather.js';
export { identity, stopGradient } from './identity.js';
export { uniform, normal, truncatedNormal, randomBits, type Distribution } from './random.js';
export { mean, variance, type VarianceOptions } from './statistics.js';
export { logSumExp, softmax, logSoftmax } from './softmax.js';
export { relu, sigmoid, square, softplus, gelu } from './activations.js';
export { layerNorm, l2Normalize } from './normalization.js';
export { crossEntropy, type Reduction } from './losses.js';
export { conv2d, type Conv2dOptions, type ConvAxes } from './conv.js';
export { registry, type OpName } from './registry.js';
export { defineOp, apply, type OpDef, type OutShape } from './define.js';
export { print } from './print.js';
