/** AdamW as torch.optim.AdamW: decoupled weight decay, bias-corrected moments. */
import type { Tensor } from '../ir/tensor.js';
import { add, div, mul, pow, sqrt, sub } from '../ops/elementwise.js';
import { full } from '../ops/sources.js';
import { broadcastTo } from '../ops/layout.js';
import { lrLike, zerosTree, zipLeaves, leavesOf, type LearningRate, type Optimizer } from './optimizer.js';

/** AdamW's β₁, β₂, ε, weight decay, and which parameters decay. */
export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /**
   * Which parameters are decayed, by dotted path and value (default all), as PyTorch's parameter
   * groups: `regularized` is DINO's rule (no decay on biases and 1-D parameters).
   */
  readonly decay?: (path: string, value: Tensor) => boolean;
}

/** AdamW's state: first and second moments (trees like the parameters) and the step count. */
export interface AdamWState<P = unknown> {
  readonly m: P;
  readonly v: P;
  /** Steps taken so far. */
  readonly t: Tensor<[]>;
}

/** AdamW (PyTorch's): Adam moments with bias correction and decoupled weight decay, on parameters the decay rule selects. */
export function adamw(options: AdamWOptions = {}): Optimizer<AdamWState> {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const wd = options.weightDecay ?? 0.01;
  return {
    init: (params) => ({ m: zerosTree(params), v: zerosTree(params), t: full(0, [], []) }),
    step<P>(params: P, grads: P, state: AdamWState, lr: LearningRate) {
      const { p, g, rebuild } = zipLeaves(params, grads);
      const ms = leavesOf(state.m).leaves.map((l) => l.value as Tensor<string[]>);
      const vs = leavesOf(state.v).leaves.map((l) => l.value as Tensor<string[]>);
      const t = add(state.t, 1);
      const correction1 = sub(1, pow(full(b1, [], []), t));
      const correction2 = sub(1, pow(full(b2, [], []), t));
      const out = p.map((leaf, i) => {
        const w = leaf.value as Tensor<string[]>;
        const grad = g[i] as Tensor<string[]>;
        const rate = lrLike(lr, w) as Tensor<string[]>;
        const like = (s: Tensor<[]>) => broadcastTo(s, w.axes, w.sizes) as Tensor<string[]>;
        const decayed = wd !== 0 && (options.decay?.(leaf.path, w) ?? true) ? sub(w, mul(mul(rate, wd), w)) : w;
        const m = add(mul(ms[i]!, b1), mul(grad, 1 - b1));
        const v = add(mul(vs[i]!, b2), mul(mul(grad, grad), 1 - b2));
        const update = div(div(m, like(correction1)), add(sqrt(div(v, like(correction2))), eps));
        return { w: sub(decayed, mul(rate, update)), m, v };
      });
      return {
        params: rebuild<P>(out.map((o) => o.w)),
        state: { m: rebuild(out.map((o) => o.m)), v: rebuild(out.map((o) => o.v)), t },
      };
    },
  };
}
