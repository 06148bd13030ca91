/**
 * LARS / LARC: rescale each parameter's gradient by a trust ratio
 * a = trust·‖p‖/(‖g‖ + ‖p‖·wd + eps) (with the weight decay folded in),
 * then take the inner optimizer's step. Parameters for which `exclude`
 * answers true (PAWS: biases and normalisation weights) are left as they
 * are; when ‖p‖ or ‖g‖ is zero the gradient passes unchanged, as in the
 * official code. With `clip` (apex LARC), a = min(a/lr, 1).
 */
import type { Tensor } from '../ir/tensor.js';
import { add, div, greater, minimum, mul, select } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { zipLeaves, type LearningRate, type Optimizer } from './optimizer.js';
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
