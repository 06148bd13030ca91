/**
 * LARS / LARC: rescale each parameter's gradient by a trust ratio
 * a = trust·‖p‖/(‖g‖ + ‖p‖·wd + eps) (with the weight decay folded in),
 * then take the inner optimizer's step. Parameters for which `exclude`
 * answers true (PAWS: biases and normalisation weights) are left as they
 * are; when ‖p‖ or ‖g‖ is zero the gradient passes unchanged, as in the
 * official code. With `clip` (apex LARC), a = min(a/lr, 1). momentumLars is
 * DINO's and Barlow Twins' LARS (the norm of the decayed gradient, no ε).
 */
import type { Tensor } from '../ir/tensor.js';
import { add, div, greater, minimum, mul, select } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { coupledDecay, zipLeaves, type LearningRate, type Optimizer, type ScheduledOptimizer, type StepOptions } from './optimizer.js';
import { sgd, type SgdState } from './sgd.js';
import { tensorNorm } from './clip-gradients.js';

/** LARS' trust coefficient, ε, and which parameters it skips. */
export interface LarsOptions {
  readonly trustCoefficient?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Parameters that LARS leaves alone, by dotted path and value (e.g. names containing 'bias' or 'bn'). */
  readonly exclude?: (path: string, value: Tensor) => boolean;
  readonly clip?: boolean;
}

/** A parameter's LARS trust ratio. */
export interface TrustRatio {
  readonly path: string;
  /** The ratio a (meaningful where `applies` is 1). */
  readonly ratio: Tensor<[]>;
  /** 1 where both norms are non-zero and the ratio was applied, else 0. */
  readonly applies: Tensor<[]>;
}

/** The LARS trust ratios of the non-excluded parameters, and the rescaled gradients. */
export function larsGradients<P>(params: P, grads: P, options: LarsOptions, lr: LearningRate): { grads: P; ratios: TrustRatio[] } {
  const trust = options.trustCoefficient ?? 0.001;
  const eps = options.eps ?? 1e-8;
  const wd = options.weightDecay ?? 0;
  const { p, g, rebuild } = zipLeaves(params, grads);
  const ratios: TrustRatio[] = [];
  const scaled = p.map((leaf, i) => {
    const grad = g[i]!;
    if (options.exclude?.(leaf.path, leaf.value)) return grad;
    const w = leaf.value as Tensor<string[]>;
    const pn = tensorNorm(w);
    const gn = tensorNorm(grad);
    let a: Tensor<[]> = div(mul(pn, trust), add(add(gn, mul(pn, wd)), eps));
    if (options.clip) a = minimum(div(a, lr), 1);
    const applies = mul(greater(pn, 0), greater(gn, 0));
    ratios.push({ path: leaf.path, ratio: a, applies });
    const like = (s: Tensor<[]>) => broadcastTo(s, w.axes, w.sizes) as Tensor<string[]>;
    const adapted = mul(add(grad as Tensor<string[]>, mul(w, wd)), like(a));
    return select(like(applies), adapted, grad as Tensor<string[]>);
  });
  return { grads: rebuild<P>(scaled), ratios };
}

/** LARS around an inner optimizer (its own weight decay should be 0: LARS applies it). */
export function lars<S>(inner: Optimizer<S>, options: LarsOptions = {}): Optimizer<S> {
  return {
    init: (params) => inner.init(params),
    step<P>(params: P, grads: P, state: S, lr: LearningRate) {
      return inner.step(params, larsGradients(params, grads, options, lr).grads, state, lr);
    },
  };
}

/** Barlow Twins' and DINO's LARS: momentum, η, and which parameters are decayed and adapted. */
export interface MomentumLarsOptions {
  readonly momentum?: number;
  /** η, the trust coefficient (0.001). */
  readonly eta?: number;
  /** The weight decay when a step gives none (0, as utils.LARS: DINO's schedule sets it per step). */
  readonly weightDecay?: number;
  /** Which parameters are decayed (default: those with other than one axis, as `p.ndim != 1`). */
  readonly decay?: (path: string, value: Tensor) => boolean;
  /** Which parameters are adapted (default: those with other than one axis, as `p.ndim != 1`). */
  readonly adapt?: (path: string, value: Tensor) => boolean;
}

/** Not one-axis: utils.LARS' filter (`p.ndim != 1`) for both its decay and its adaptation. */
const notOneAxis = (_path: string, value: Tensor): boolean => value.rank !== 1;

/**
 * LARS as DINO's utils.LARS (after Barlow Twins'), not LARC: on the parameters it adapts,
 * dp = g + wd·p (decay where `decay` says), q = η·‖p‖/‖dp‖ (1 where either norm is 0, no ε),
 * dp ← q·dp; then μ ← m·μ + dp and p ← p − lr·μ, which is SGD with momentum and no decay of
 * its own. Its step takes this step's weight decay and which parameters learn.
 */
export function momentumLars(options: MomentumLarsOptions = {}): ScheduledOptimizer<SgdState> {
  const inner = sgd({ momentum: options.momentum ?? 0.9, weightDecay: 0 });
  const adapt = options.adapt ?? notOneAxis;
  const decay = options.decay ?? notOneAxis;
  return {
    init: (params) => inner.init(params),
    step<P>(params: P, grads: P, state: SgdState, lr: LearningRate, stepOptions: StepOptions = {}) {
      const wd = stepOptions.weightDecay ?? options.weightDecay ?? 0;
      const { p, g, rebuild } = zipLeaves(params, grads);
      const decayed = rebuild<P>(p.map((leaf, i) => coupledDecay(leaf, g[i]!, wd, decay)));
      const adapted = larsGradients(params, decayed, { trustCoefficient: options.eta ?? 0.001, eps: 0, weightDecay: 0, exclude: (path, value) => !adapt(path, value) }, lr).grads;
      return inner.step(params, adapted, state, lr, stepOptions.learns === undefined ? {} : { learns: stepOptions.learns });
    },
  };
}
