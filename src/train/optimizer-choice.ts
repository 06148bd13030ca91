/**
 * The optimiser a trainer steps with (`train --optimizer`):
 *
 * - 'adamw': AdamW without decay on biases and one-axis parameters (DINO's rule), as the trainers
 *   had before the flag existed.
 * - 'lars': SGD with momentum 0.9 inside LARC (trust 0.001, ε 1e-8, no clipping, weight decay
 *   folded into the trust ratio and applied to every parameter), as main_swav.py and vissl's
 *   SwAV/SEER configurations build it (`use_larc`, `regularize_bn`, `regularize_bias`).
 *   PAWS' recipe ('paws') is its own LARS: its SGD keeps the rate in the momentum buffer, and
 *   biases and normalisation parameters are neither rescaled nor decayed (init_opt's LARS_exclude).
 * - 'sgd': torch's SGD with momentum 0.9 and weight decay on every parameter (DeepCluster's top
 *   layer without momentum: its own torch.optim.SGD in main.py).
 *
 * DINO's three (main_dino.py's, over its two parameter groups, weight decay per step) are
 * dino-step.ts' dinoOptimizer.
 */
import { adamw, type AdamWState } from '../optim/adamw.js';
import { lars } from '../optim/lars.js';
import { sgd, type SgdState } from '../optim/sgd.js';
import { regularized, type Optimizer } from '../optim/optimizer.js';

/** An optimiser `train --optimizer` names. */
export type OptimizerName = 'lars' | 'adamw' | 'sgd';

/** Every optimiser a trainer can step with. */
export const optimizerNames: readonly OptimizerName[] = ['lars', 'adamw', 'sgd'];

/** The state of any optimiser a trainer steps with: AdamW's moments and step count, or the momentum buffers of SGD and LARS. */
export type TrainOptimizerState = AdamWState | SgdState;

/** Whose LARS: SwAV's and SEER's (every parameter), or PAWS'. */
export type LarsRecipe = 'swav' | 'paws';

/** The optimiser of that name with this weight decay; `withoutMomentum` names parameters SGD steps without momentum. */
export function trainOptimizer(name: OptimizerName, weightDecay: number, recipe: LarsRecipe = 'swav', withoutMomentum?: (path: string) => boolean): Optimizer<unknown> {
  switch (name) {
    case 'adamw':
      return adamw({ weightDecay, decay: regularized }) as Optimizer<unknown>;
    case 'lars':
      if (recipe === 'paws') {
        const inner = sgd({ momentum: 0.9, weightDecay: 0, lrInBuffer: true });
        return lars(inner, { trustCoefficient: 0.001, eps: 1e-8, weightDecay, exclude: (path, value) => !regularized(path, value) }) as Optimizer<unknown>;
      }
      return lars(sgd({ momentum: 0.9, weightDecay: 0 }), { trustCoefficient: 0.001, eps: 1e-8, weightDecay, clip: false }) as Optimizer<unknown>;
    case 'sgd':
      return sgd({ momentum: 0.9, weightDecay, ...(withoutMomentum === undefined ? {} : { withoutMomentum }) }) as Optimizer<unknown>;
  }
}
