/**
 * Applying masks: as graph ops inside a layer (so gradients at pruned weights
 * are exactly zero), or to parameter values (so pruned weights are stored as zeros).
 */
import type { Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import type { Key } from '../runtime/prng.js';
import { evaluate } from '../ops/interpret.js';
import { mul } from '../ops/elementwise.js';
import { fromArray } from '../ops/sources.js';
import { getPath, hasPath, setPath } from '../nn/params.js';
import type { ApplyContext, Layer } from '../nn/layer.js';
import { leavesWithPaths, type Masks } from './masks.js';

function maskTensor(path: string, leaf: Tensor, mask: Masks[string]): Tensor {
  const same = mask.sizes.length === leaf.rank && mask.sizes.every((n, i) => n === leaf.sizes[i]);
  if (!same) throw new RangeError(`mask ${path}: shape [${mask.sizes.join(', ')}] but the parameter has [${leaf.sizes.join(', ')}]`);
  return fromArray(mask.data, [...leaf.axes], leaf.sizes, { name: `mask:${path}` });
}

function maskedLeaf(params: unknown, path: string): Tensor {
  if (!hasPath(params, path)) throw new RangeError(`mask ${path}: no such parameter`);
  const leaf = getPath(params, path);
  if (!isTensor(leaf)) throw new RangeError(`mask ${path}: the parameter is not a tensor`);
  return leaf;
}

/** The parameter tree with every masked leaf multiplied by its (constant) mask: a graph op, differentiable. */
export function applyMasks<P>(params: P, masks: Masks): P {
  return Object.entries(masks).reduce<P>((tree, [path, mask]) => {
    const leaf = maskedLeaf(tree, path);
    return setPath(tree, path, mul(leaf as Tensor<string[]>, maskTensor(path, leaf, mask) as Tensor<string[]>));
  }, params);
}

/** Every leaf evaluated and stored as a constant (named by its path): parameters as plain values again. */
export function materialize<P>(params: P): P {
  const flat = flattenTree(params, isTensor);
  const values = evaluate(flat.leaves);
  const paths = leavesWithPaths(params).map((l) => l.path);
  return unflattenTree<P>(
    flat.def,
    flat.leaves.map((leaf, i) => fromArray(values[i]!.data, [...leaf.axes], leaf.sizes, { name: paths[i]! })),
  );
}

/** The parameter values with pruned weights set to zero (constants). */
export function maskValues<P>(params: P, masks: Masks): P {
  return materialize(applyMasks(params, masks));
}

/**
 * A layer whose masked weights are multiplied by fixed masks on every apply:
 * pruned weights contribute nothing and receive zero gradient. init returns
 * the inner layer's parameters with the pruned weights zeroed.
 */
export function masked<P, In extends Shape, Out extends Shape>(layer: Layer<P, In, Out>, masks: Masks): Layer<P, In, Out> {
  return {
    init: (key: Key, sizes: Sizes) => maskValues(layer.init(key, sizes), masks),
    apply: (params: P, x: Tensor<In>, ctx?: ApplyContext) => layer.apply(applyMasks(params, masks), x, ctx),
  };
}
