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
import { add, mul, select } from '../ops/elementwise.js';
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

/**
 * Per-step settings of an optimiser step (what a training loop changes between steps without
 * retracing): DINO's weight-decay schedule and its frozen last layer.
 */
export interface StepOptions {
  /** This step's weight decay (DINO's wd schedule), replacing the option's; a scalar tensor needs no retracing. */
  readonly weightDecay?: number | Tensor<[]>;
  /**
   * Whether a parameter (by dotted path) has a gradient this step. false: it is left alone, as a
   * PyTorch parameter whose grad is None (no decay, no moment or momentum update); a scalar tensor
   * decides at run time (non-zero: updated), e.g. DINO's last layer during its freeze. Default: every parameter.
   */
  readonly learns?: (path: string) => boolean | Tensor<[]>;
  /**
   * Steps a parameter sat out so far (undefined: none), for optimisers that count steps (AdamW).
   * PyTorch counts steps per parameter, so one that had no gradient for a while (DINO's frozen last
   * layer) corrects its moments' bias with its own count, t minus these, not the optimiser's.
   */
  readonly skippedSteps?: (path: string) => Tensor<[]> | undefined;
}

/** An optimiser whose step also takes per-step settings (weight decay, which parameters learn). */
export interface ScheduledOptimizer<S> extends Optimizer<S> {
  step<P>(params: P, grads: P, state: S, lr: LearningRate, options?: StepOptions): { params: P; state: S };
}

/** A parameter's new values where `learns` (a run-time scalar) is non-zero, its old ones elsewhere. */
export function whereLearns(learns: Tensor<[]>, updated: Tensor<string[]>, old: Tensor<string[]>): Tensor<string[]> {
  return select(broadcastTo(learns, old.axes, old.sizes) as Tensor<string[]>, updated, old);
}

/** w·wd, with wd a number or a scalar tensor. */
export function timesDecay(w: Tensor<string[]>, wd: number | Tensor<[]>): Tensor<string[]> {
  return typeof wd === 'number' ? mul(w, wd) : mul(w, broadcastTo(wd, w.axes, w.sizes) as Tensor<string[]>);
}

/** torch.optim.SGD's and LARS' coupled weight decay: g + wd·w on the parameters `decay` selects. */
export function coupledDecay(leaf: Leaf, grad: Tensor, wd: number | Tensor<[]>, decay: (path: string, value: Tensor) => boolean = () => true): Tensor {
  if (wd === 0 || !decay(leaf.path, leaf.value)) return grad;
  return add(grad as Tensor<string[]>, timesDecay(leaf.value as Tensor<string[]>, wd));
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
