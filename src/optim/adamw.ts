/** AdamW as torch.optim.AdamW: decoupled weight decay, bias-corrected moments. */
import type { Tensor } from '../ir/tensor.js';
import { add, div, mul, pow, sqrt, sub } from '../ops/elementwise.js';
import { full } from '../ops/sources.js';
import { broadcastTo } from '../ops/layout.js';
import { lrLike, timesDecay, whereLearns, zerosTree, zipLeaves, leavesOf, type LearningRate, type ScheduledOptimizer, type StepOptions } from './optimizer.js';

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

/** Per-step settings of an AdamW step (optimizer.ts' StepOptions: weight decay, which parameters learn, steps skipped). */
export type AdamWStepOptions = StepOptions;

/** AdamW, whose step also takes per-step settings. */
export interface AdamW extends ScheduledOptimizer<AdamWState> {
  step<P>(params: P, grads: P, state: AdamWState, lr: LearningRate, options?: AdamWStepOptions): { params: P; state: AdamWState };
}

/** AdamW (PyTorch's): Adam moments with bias correction and decoupled weight decay, on parameters the decay rule selects. */
export function adamw(options: AdamWOptions = {}): AdamW {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const wd = options.weightDecay ?? 0.01;
  return {
    init: (params) => ({ m: zerosTree(params), v: zerosTree(params), t: full(0, [], []) }),
    step<P>(params: P, grads: P, state: AdamWState, lr: LearningRate, stepOptions: AdamWStepOptions = {}) {
      const decay = stepOptions.weightDecay ?? wd;
      const { p, g, rebuild } = zipLeaves(params, grads);
      const ms = leavesOf(state.m).leaves.map((l) => l.value as Tensor<string[]>);
      const vs = leavesOf(state.v).leaves.map((l) => l.value as Tensor<string[]>);
      const t = add(state.t, 1);
      const corrections = (count: Tensor<[]>) => [sub(1, pow(full(b1, [], []), count)), sub(1, pow(full(b2, [], []), count))] as const;
      const shared = corrections(t);
      const out = p.map((leaf, i) => {
        const w = leaf.value as Tensor<string[]>;
        const grad = g[i] as Tensor<string[]>;
        const rate = lrLike(lr, w) as Tensor<string[]>;
        const like = (s: Tensor<[]>) => broadcastTo(s, w.axes, w.sizes) as Tensor<string[]>;
        const learns = stepOptions.learns?.(leaf.path) ?? true;
        if (learns === false) return { w, m: ms[i]!, v: vs[i]! };
        const decayed = decay !== 0 && (options.decay?.(leaf.path, w) ?? true) ? sub(w, mul(rate, timesDecay(w, decay))) : w;
        const m = add(mul(ms[i]!, b1), mul(grad, 1 - b1));
        const v = add(mul(vs[i]!, b2), mul(mul(grad, grad), 1 - b2));
        const skipped = stepOptions.skippedSteps?.(leaf.path);
        const [correction1, correction2] = skipped === undefined ? shared : corrections(sub(t, skipped));
        const update = div(div(m, like(correction1)), add(sqrt(div(v, like(correction2))), eps));
        const updated = { w: sub(decayed, mul(rate, update)), m, v };
        if (learns === true) return updated;
        return { w: whereLearns(learns, updated.w, w), m: whereLearns(learns, m, ms[i]!), v: whereLearns(learns, v, vs[i]!) };
      });
      return {
        params: rebuild<P>(out.map((o) => o.w)),
        state: { m: rebuild(out.map((o) => o.m)), v: rebuild(out.map((o) => o.v)), t },
      };
    },
  };
}
