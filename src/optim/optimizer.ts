/**
 * Optimizers are pure functions of (params, grads, state, learning rate) to
 * new params and state, built from ops: a training step (forward, backward,
 * update) is one traced graph and one compiled pipeline. Parameters are trees
 * of tensors; state mirrors them. The learning rate may be a scalar tensor
 * (an input of the step, so a schedule needs no retracing) or a number.
 */
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { ShapeError } from '../shape/errors.js';
import { fullLike } from '../ops/sources.js';
import { broadcastTo } from '../ops/layout.js';

/** A learning rate: a number, or a scalar tensor (a traced program's input, so its schedule needs no retracing). */
export type LearningRate = Tensor<[]> | number;

/** An optimiser: its state for given parameters, and one step. */
export interface Optimizer<S> {
  /** The optimiser's state for these parameters (moments at zero). */
  init<P>(params: P): S;
  /** One update: new parameters and state from the gradients, at this learning rate. */
  step<P>(params: P, grads: P, state: S, lr: LearningRate): { params: P; state: S };
}

/** A leaf with its dotted path, e.g. 'blocks.0.attn.qkv.weight'. */
export interface Leaf {
  readonly path: string;
  readonly value: Tensor;
}

const dotted = (p: string) => p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');

/** The tensor leaves of a parameter tree with their dotted paths, and a function that rebuilds the tree from new leaves. */
export function leavesOf(tree: unknown): {
  leaves: Leaf[];
  /** The tree with these leaves, in the order of `leaves`. */
  rebuild: <T>(values: readonly Tensor[]) => T;
} {
  const flat = flattenTree(tree, isTensor);
  return {
    leaves: flat.leaves.map((value, i) => ({ path: dotted(flat.paths[i]!), value })),
    rebuild: <T>(values: readonly Tensor[]) => unflattenTree<T>(flat.def, values),
  };
}

/** Pair params and grads leaf by leaf, checking that the trees match. */
export function zipLeaves(params: unknown, grads: unknown): {
  p: Leaf[];
  g: Tensor[];
  /** The parameter tree with these leaves, in the order of `p`. */
  rebuild: <T>(values: readonly Tensor[]) => T;
} {
  const p = leavesOf(params);
  const g = leavesOf(grads);
  if (p.leaves.length !== g.leaves.length) throw new ShapeError(`optimizer: ${p.leaves.length} parameters but ${g.leaves.length} gradients`);
  p.leaves.forEach((leaf, i) => {
    const gl = g.leaves[i]!;
    const same = leaf.value.rank === gl.value.rank && leaf.value.axes.every((a, k) => a === gl.value.axes[k] && leaf.value.sizes[k] === gl.value.sizes[k]);
    if (!same) throw new ShapeError(`optimizer: the gradient of ${leaf.path} has axes [${gl.value.axes.join(', ')}] sizes [${gl.value.sizes.join(', ')}], the parameter [${leaf.value.axes.join(', ')}] sizes [${leaf.value.sizes.join(', ')}]`);
  });
  return { p: p.leaves, g: g.leaves.map((l) => l.value), rebuild: p.rebuild };
}

/** A tree of zeros shaped like the given one. */
export function zerosTree<T>(tree: T): T {
  const { leaves, rebuild } = leavesOf(tree);
  return rebuild(leaves.map((l) => fullLike(0, l.value)));
}

/** The learning rate as a tensor shaped like x. */
export function lrLike(lr: LearningRate, x: Tensor): Tensor {
  return typeof lr === 'number' ? fullLike(lr, x) : broadcastTo(lr, x.axes, x.sizes);
}

/**
 * DINO's and timm's weight-decay rule (utils.get_params_groups): biases and parameters with one
 * axis or none (normalisation scales and shifts, running statistics, counters) are not decayed.
 */
export function regularized(path: string, value: Tensor): boolean {
  return !path.endsWith('bias') && value.rank > 1;
}
