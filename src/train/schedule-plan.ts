/**
 * The span of a run's learning-rate and EMA schedules, kept in the checkpoint:
 * `--max-steps N` fixes it at N; a time budget (`--minutes`) sets it before the
 * first step at the steps the budget is estimated to buy, from the time of trial
 * steps, and revises it at each checkpoint from the pace measured since. Progress
 * is step / totalSteps, so a killed run resumed from its checkpoint continues the
 * same curves (a clock restarted at the resume would restart them).
 */

/** What the checkpoint stores about the schedules. */
export interface SchedulePlan {
  /** Steps the schedules span. */
  readonly totalSteps: number;
  /** Training time spent so far, over every session of the run (ms). */
  readonly elapsedMs: number;
}

/**
 * Total steps a budget allows: the steps done plus what the time left buys at
 * `msPerStep`; never fewer than the steps done, nor than 1.
 */
export function plannedTotalSteps(o: { readonly budgetMs: number; readonly elapsedMs: number; readonly stepsDone: number; readonly msPerStep: number }): number {
  const perStep = Math.max(o.msPerStep, 1e-3);
  const more = Math.max(0, Math.floor((o.budgetMs - o.elapsedMs) / perStep));
  return Math.max(Math.min(o.stepsDone + more, Number.MAX_SAFE_INTEGER), 1);
}

/**
 * The time a step costs in a time-budget run: its own, plus its share of the k-NN
 * measurement the run makes every `everyMs` (so the plan fits the budget).
 */
export function msPerPlannedStep(stepMs: number, measureMs: number, everyMs: number): number {
  return stepMs + (stepMs * measureMs) / everyMs;
}

/** The progress (0..1) that drives the schedules for the step about to run. */
export function scheduleProgress(step: number, totalSteps: number): number {
  return Math.min(1, step / totalSteps);
}
