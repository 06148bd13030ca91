/**
 * How many calls each workload's rows get (warm-ups, repetitions, the time
 * they may take): the Node bench's plans (child.ts), which the browser bench
 * also gives its rows on the CPU (wasm), so that shapegrad's Chromium/Node
 * ratio compares like with like, and the browser bench's plans for rows on an
 * emulated GPU (SwiftShader: one call of the xcit step takes 10 to 100 s).
 */
import type { TimingPlan } from './common.js';
import type { WorkloadName } from './jobs.js';

export function nodePlans(quick: boolean): Record<WorkloadName, TimingPlan> {
  return quick
    ? {
        matmul: { warmup: 1, repeats: 10, minRepeats: 3, budgetMs: 1500 },
        xcit: { warmup: 0, repeats: 3, minRepeats: 2, budgetMs: 6000 },
        dino: { warmup: 0, repeats: 3, minRepeats: 2, budgetMs: 4000 },
        'dino-step': { warmup: 2, repeats: 10, minRepeats: 3, budgetMs: 3000 },
      }
    : {
        matmul: { warmup: 2, repeats: 30, minRepeats: 5, budgetMs: 4000 },
        xcit: { warmup: 1, repeats: 7, minRepeats: 3, budgetMs: 20000 },
        dino: { warmup: 1, repeats: 7, minRepeats: 3, budgetMs: 12000 },
        // Many short steps: a step is ~0.1 s, and the median of 60 is steadier under other load.
        'dino-step': { warmup: 5, repeats: 60, minRepeats: 10, budgetMs: 15000 },
      };
}

/**
 * Rows on WebGL or WebGPU in the browser bench. The checked first call stands
 * for the warm-up (it compiles the shaders); then as many calls as fit in
 * budgetMs, at least minRepeats (one, for the xcit step: on SwiftShader its
 * calls take tens of seconds, and the whole run must stay well under 15 minutes).
 */
export function gpuPlans(quick: boolean): Record<WorkloadName, TimingPlan> {
  return quick
    ? {
        matmul: { warmup: 1, repeats: 10, minRepeats: 3, budgetMs: 1500 },
        xcit: { warmup: 0, repeats: 2, minRepeats: 1, budgetMs: 4000 },
        dino: { warmup: 0, repeats: 2, minRepeats: 1, budgetMs: 4000 },
        'dino-step': { warmup: 0, repeats: 2, minRepeats: 1, budgetMs: 4000 },
      }
    : {
        matmul: { warmup: 2, repeats: 30, minRepeats: 5, budgetMs: 4000 },
        xcit: { warmup: 0, repeats: 5, minRepeats: 1, budgetMs: 8000 },
        dino: { warmup: 0, repeats: 5, minRepeats: 2, budgetMs: 8000 },
        'dino-step': { warmup: 0, repeats: 5, minRepeats: 2, budgetMs: 8000 },
      };
}
