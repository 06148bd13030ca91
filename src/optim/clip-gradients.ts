/**
 * DINO's gradient clipping (utils.clip_gradients): each parameter's gradient
 * is clipped on its own norm, not on the global norm of all of them
 * (torch.nn.utils.clip_grad_norm_ would do the latter):
 *
 *   n = ‖g‖₂ over the whole tensor;   c = maxNorm / (n + 1e-6);   g ← c·g where c < 1
 */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div, minimum, mul, sqrt } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { sumAxes } from '../ops/reduce.js';
import { leavesOf } from './optimizer.js';

/** The Euclidean norm of a tensor over all its elements. */
export function tensorNorm(g: Tensor): Tensor<[]> {
  return sqrt(sumAxes(mul(g as Tensor<string[]>, g as Tensor<string[]>), g.axes) as Tensor<[]>);
}

/** g scaled by min(1, maxNorm/(‖g‖ + 1e-6)): DINO's clip of one parameter's gradient. */
export function clipTensorNorm<S extends Shape>(g: Tensor<S>, maxNorm: number): Tensor<S> {
  if (!(maxNorm > 0)) throw new RangeError(`clipTensorNorm: maxNorm must be positive, got ${maxNorm}`);
  const factor = minimum(div(maxNorm, add(tensorNorm(g), 1e-6)), 1) as Tensor<[]>;
  return mul(g, broadcastTo(factor, g.axes, g.sizes) as Tensor<S>);
}

/**
 * Every leaf of a gradient tree clipped on its own norm, with the norms before clipping by dotted
 * path. Leaves `has` rejects (parameters without a gradient, as requires_grad = False) pass unchanged
 * and have no norm.
 */
export function clipGradients<G>(grads: G, maxNorm: number, has: (path: string) => boolean = () => true): { grads: G; norms: Readonly<Record<string, Tensor<[]>>> } {
  const { leaves, rebuild } = leavesOf(grads);
  const clipped = leaves.filter((l) => has(l.path));
  const norms = Object.fromEntries(clipped.map((l) => [l.path, tensorNorm(l.value)]));
  return { grads: rebuild<G>(leaves.map((l) => (has(l.path) ? clipTensorNorm(l.value, maxNorm) : l.value))), norms };
}
