/**
 * SGD with momentum, as torch.optim.SGD (dampening 0), and the variant of
 * PAWS/SuNCEt's code that folds the learning rate into the momentum buffer.
 */
import type { Tensor } from '../ir/tensor.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { lrLike, zerosTree, zipLeaves, leavesOf, type LearningRate, type Optimizer } from './optimizer.js';

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
}

/** SGD's momentum buffers. */
export interface SgdState<P = unknown> {
  /** The momentum buffers, one per parameter (zeros at first: then the first step sets buf = g, as torch does). */
  readonly momentum: P;
}

/** SGD with optional momentum, Nesterov momentum and weight decay (PyTorch's; or with the learning rate in the momentum buffer, as PAWS'). */
export function sgd(options: SgdOptions = {}): Optimizer<SgdState> {
  const mu = options.momentum ?? 0.9;
  const wd = options.weightDecay ?? 0;
  const nesterov = options.nesterov ?? false;
  return {
    init: (params) => ({ momentum: zerosTree(params) }),
    step<P>(params: P, grads: P, state: SgdState, lr: LearningRate) {
      const { p, g, rebuild } = zipLeaves(params, grads);
      const bufs = leavesOf(state.momentum).leaves.map((l) => l.value as Tensor<string[]>);
      const newParams: Tensor[] = [];
      const newBufs: Tensor[] = [];
      p.forEach((leaf, i) => {
        const w = leaf.value as Tensor<string[]>;
        const grad = wd === 0 ? (g[i] as Tensor<string[]>) : add(g[i] as Tensor<string[]>, mul(w, wd));
        const rate = lrLike(lr, w) as Tensor<string[]>;
        const old = bufs[i]!;
        if (options.lrInBuffer) {
          const d = mul(grad, mul(rate, -1));
          const buf = add(mul(old, mu), d);
          newBufs.push(buf);
          newParams.push(add(w, nesterov ? add(d, mul(buf, mu)) : buf));
        } else {
          const buf = add(mul(old, mu), grad);
          newBufs.push(buf);
          newParams.push(sub(w, mul(rate, nesterov ? add(grad, mul(buf, mu)) : buf)));
        }
      });
      return { params: rebuild<P>(newParams), state: { momentum: rebuild(newBufs) } };
    },
  };
}
