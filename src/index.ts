/**
 * shapegrad: typed named-axis tensors, a graph IR, float64 reference semantics
 * and autodiff, the compiler and the self-supervised building blocks. This entry
 * runs in Node and in browsers alike (no `node:` import, no top-level await;
 * test/bundle.test.ts holds it to that); what reads files is `shapegrad/node`.
 */
export type { Axis, Shape, Sizes, Without, FlattenPair, ReplaceAxis, RenameAxes } from './shape/types.js';
export { ShapeError, InputError } from './shape/errors.js';
export { parseEinsum, type EinsumInputs, type EinsumOutput, type ValidSpec } from './shape/einsum-spec.js';
export { Tensor, isTensor, type Scalar, type Attrs } from './ir/tensor.js';
export { type Graph, graphOf, topoSort, opCounts } from './ir/graph.js';
export { trace, spec, bindSizes, type TensorSpec, type Program, type TensorsOf } from './ir/trace.js';
export { dce, cse } from './ir/passes.js';
export { hashGraph, structuralHashes } from './ir/hash.js';
export { flattenTree, unflattenTree, mapTree } from './ir/tree.js';
export * from './ops/index.js';
export { grad, valueAndGrad, vjp, jvp } from './autodiff/grad.js';
export { backprop } from './autodiff/backprop.js';
export { interpret, run, evaluate, valueOf, scalarValue, NonFiniteError, type InterpretOptions, type ValuesOf } from './runtime/interpret.js';
export { type NDArray, at, toNested } from './runtime/ndarray.js';
export * as random from './runtime/prng.js';
export type { Key } from './runtime/prng.js';
export * as nn from './nn/index.js';
export * from './compile/index.js';
export * as ssl from './ssl/index.js';
export * as optim from './optim/index.js';
export * as prune from './prune/index.js';
export * as data from './data/index.js';
export * as evaluation from './eval/index.js';
export * as plot from './plot/index.js';
export * from './io/safetensors/index.js';
export { treeValues, treeConstants, stateDictName } from './io/tree-values.js';
export * from './io/onnx/index.js';
