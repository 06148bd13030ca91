/**
 * Iterative magnitude pruning with weight rewinding (lottery tickets; Frankle
 * & Carbin 2019, with rewinding as in Frankle et al. 2020):
 *
 *   round 1: train from the initial weights for `steps` steps, keeping the
 *            weights at step `rewindStep` (θ_r; r = 0 is the initialisation);
 *   then every round: prune `fraction` of the weights still unpruned (by
 *            magnitude of the trained weights), rewind the survivors to θ_r
 *            (pruned ones to 0), and — unless it was the last round — train
 *            again from there for steps - r steps (step indexes r..steps-1).
 *
 * The training step is an argument (params, step, masks) → params, so any
 * optimiser and model fit, and tiny ones test it. Masks are enforced after
 * every step (pruned weights stay exactly zero whatever the optimiser does).
 */
import { magnitudeMasks, pruneRemaining, weightsOnly, maskSparsity, type Masks, type Prunable, type Scope } from './masks.js';
import { maskValues, materialize } from './masked.js';

/** One training step of the pruned network: new parameters from the parameters, the step and the current masks. */
export type TrainStep<P> = (params: P, step: number, masks: Masks) => P;

/** Iterative pruning: rounds, the fraction pruned per round, which parameters are pruned. */
export interface IterativePruningOptions {
  /** Pruning rounds (≥ 1). */
  readonly rounds: number;
  /** Fraction of the remaining prunable weights pruned each round. */
  readonly fraction: number;
  /** Training steps of a full run (k). */
  readonly steps: number;
  /** The step whose weights survivors are rewound to (r, 0 ≤ r ≤ steps). */
  readonly rewindStep: number;
  readonly scope?: Scope;
  readonly prunable?: Prunable;
}

/** One pruning round: its masks and sparsity. */
export interface PruningRound<P> {
  readonly round: number;
  /** The weights the round's training ended with (what was pruned by magnitude). */
  readonly trained: P;
  /** The masks after the round's pruning. */
  readonly masks: Masks;
  /** θ_r with the round's masks applied: the start of the next round. */
  readonly rewound: P;
  /** Fraction of prunable weights pruned after the round. */
  readonly sparsity: number;
}

/** Each round, the final masks and parameters, and the rewind point. */
export interface IterativePruningResult<P> {
  readonly rounds: readonly PruningRound<P>[];
  /** The final masks and the rewound weights under them (the ticket). */
  readonly masks: Masks;
  readonly params: P;
  /** θ_r, the weights at the rewind step of the first run. */
  readonly rewindPoint: P;
}

function trainSpan<P>(start: P, from: number, to: number, masks: Masks, train: TrainStep<P>, keep?: number): { end: P; kept: P | undefined } {
  let params = start;
  let kept: P | undefined = keep === from ? start : undefined;
  for (let step = from; step < to; step++) {
    params = maskValues(train(params, step, masks), masks);
    if (keep === step + 1) kept = params;
  }
  return { end: params, kept };
}

/** Iterative magnitude pruning with rewinding (the lottery ticket procedure): train, prune the smallest weights, rewind the rest, repeat. */
export function iterativePruning<P>(init: P, train: TrainStep<P>, options: IterativePruningOptions): IterativePruningResult<P> {
  const { rounds, fraction, steps, rewindStep } = options;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`iterativePruning: rounds must be a positive integer, got ${rounds}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`iterativePruning: steps must be a non-negative integer, got ${steps}`);
  if (!Number.isInteger(rewindStep) || rewindStep < 0 || rewindStep > steps) throw new RangeError(`iterativePruning: rewindStep must be an integer in [0, ${steps}], got ${rewindStep}`);
  const prunable = options.prunable ?? weightsOnly;
  const scope = options.scope ?? 'global';
  let masks: Masks = magnitudeMasks(init, { sparsity: 0, prunable, scope });
  const first = trainSpan(materialize(init), 0, steps, masks, train, rewindStep);
  const rewindPoint = first.kept!;
  let trained = first.end;
  const history: PruningRound<P>[] = [];
  for (let round = 1; round <= rounds; round++) {
    masks = pruneRemaining(trained, masks, { fraction, prunable, scope });
    const rewound = maskValues(rewindPoint, masks);
    history.push({ round, trained, masks, rewound, sparsity: maskSparsity(masks) });
    if (round < rounds) trained = trainSpan(rewound, rewindStep, steps, masks, train).end;
  }
  return { rounds: history, masks, params: history[history.length - 1]!.rewound, rewindPoint };
}
