/**
 * SGD with momentum, as torch.optim.SGD (dampening 0), and the variant of
 * PAWS/SuNCEt's code that folds the learning rate into the momentum buffer.
 */
import type { Tensor } from '../ir/tensor.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { coupledDecay, lrLike, whereLearns, zerosTree, zipLeaves, leavesOf, type LearningRate, type ScheduledOptimizer, type StepOptions } from './optimizer.js';

/** SGD's momentum, Nesterov, weight decay, and whether the rate sits in the momentum buffer. */
export interface SgdOptions {
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
  /**
   * PAWS' SGD: d = -lr·g; buf = μ·buf + d; p += (nesterov ? d + μ·buf : buf).
   * torch's SGD (default): buf = μ·buf + g; p -= lr·(nesterov ? g + μ·buf : buf).
   */
  readonly lrInBuffer?: boolean;
  /** Which parameters are decayed, by dotted path and value (default all), as PyTorch's parameter groups (DINO's: `regularized`). */
  readonly decay?: (path: string, value: Tensor) => boolean;
  /**
   * Parameters stepped without momentum, by dotted path (default none): DeepCluster's top layer,
   * which has its own torch.optim.SGD with the default momentum 0.
   */
  readonly withoutMomentum?: (path: string) => boolean;
}

/** SGD's momentum buffers. */
export interface SgdState<P = unknown> {
  /** The momentum buffers, one per parameter (zeros at first: then the first step sets buf = g, as torch does). */
  readonly momentum: P;
}

/**
 * SGD with optional momentum, Nesterov momentum and weight decay (PyTorch's; or with the learning
 * rate in the momentum buffer, as PAWS'). Its step takes this step's weight decay and which
 * parameters learn (a parameter that does not keeps its value and its momentum buffer, as
 * torch's SGD skips a parameter whose grad is None).
 */
export function sgd(options: SgdOptions = {}): ScheduledOptimizer<SgdState> {
  const mu = options.momentum ?? 0.9;
  const wd = options.weightDecay ?? 0;
  const nesterov = options.nesterov ?? false;
  return {
    init: (params) => ({ momentum: zerosTree(params) }),
    step<P>(params: P, grads: P, state: SgdState, lr: LearningRate, stepOptions: StepOptions = {}) {
      const decay = stepOptions.weightDecay ?? wd;
      const { p, g, rebuild } = zipLeaves(params, grads);
      const bufs = leavesOf(state.momentum).leaves.map((l) => l.value as Tensor<string[]>);
      const newParams: Tensor[] = [];
      const newBufs: Tensor[] = [];
      p.forEach((leaf, i) => {
        const w = leaf.value as Tensor<string[]>;
        const old = bufs[i]!;
        const learns = stepOptions.learns?.(leaf.path) ?? true;
        if (learns === false) {
          newParams.push(w);
          newBufs.push(old);
          return;
        }
        const grad = coupledDecay(leaf, g[i]!, decay, options.decay) as Tensor<string[]>;
        const rate = lrLike(lr, w) as Tensor<string[]>;
        const m = options.withoutMomentum?.(leaf.path) ? 0 : mu;
        let next: { w: Tensor<string[]>; buf: Tensor<string[]> };
        if (options.lrInBuffer) {
          const d = mul(grad, mul(rate, -1));
          const buf = add(mul(old, m), d);
          next = { w: add(w, nesterov ? add(d, mul(buf, m)) : buf), buf };
        } else {
          const buf = add(mul(old, m), grad);
          next = { w: sub(w, mul(rate, nesterov ? add(grad, mul(buf, m)) : buf)), buf };
        }
        newParams.push(learns === true ? next.w : whereLearns(learns, next.w, w));
        newBufs.push(learns === true ? next.buf : whereLearns(learns, next.buf, old));
      });
      return { params: rebuild<P>(newParams), state: { momentum: rebuild(newBufs) } };
    },
  };
}
