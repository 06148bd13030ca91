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
export { trace, spec, bindSizes, type TensorSpec, type Program, type TensorsOf, type SpecsFor } from './ir/trace.js';
export { dce, cse } from './ir/passes.js';
export { hashGraph, structuralHashes } from './ir/hash.js';
export { flattenTree, unflattenTree, mapTree } from './ir/tree.js';
export * from './ops/index.js';
export { grad, valueAndGrad, vjp, jvp } from './autodiff/grad.js';
export { backprop } from './autodiff/backprop.js';
export { interpret, run, evaluate, valueOf, scalarValue, NonFiniteError, type InterpretOptions, type ValuesOf } from './ops/interpret.js';
export { type NDArray, at, toNested } from './runtime/ndarray.js';
/** Counter-based random numbers from explicit keys (Threefry-2x32, as JAX's): key, split, foldIn and the draws. */
export * as random from './runtime/prng.js';
export type { Key } from './runtime/prng.js';
/** Layers as values (init and apply), combinators, and the networks built from them (ResMLP, XCiT, RegNet, DINO's head). */
export * as nn from './nn/index.js';
export * from './compile/index.js';
/** Self-supervised objectives (DINO, SwAV, PAWS, SEER, DeepCluster) and the typed parts they are composed of. */
export * as ssl from './ssl/index.js';
/** Optimisers (AdamW, SGD, LARS) and schedules with their units. */
export * as optim from './optim/index.js';
/** Magnitude pruning with masks, and the lottery-ticket procedure. */
export * as prune from './prune/index.js';
/** Datasets (MNIST, Fashion-MNIST from IDX or JSON bytes), batching, and augmentations as graphs. */
export * as data from './data/index.js';
/** Evaluating features: k-NN, linear probes, clustering quality, PAWS' soft nearest neighbours. */
export * as evaluation from './eval/index.js';
/** SVG plots: line charts, heatmaps, image grids. */
export * as plot from './plot/index.js';
export * from './io/safetensors/index.js';
export { treeValues, treeConstants, stateDictName } from './io/tree-values.js';
export * from './io/onnx/index.js';
