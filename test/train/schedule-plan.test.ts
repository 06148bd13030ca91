import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { msPerPlannedStep, plannedTotalSteps, scheduleProgress } from '../../src/train/schedule-plan.js';

describe('train/schedule-plan', () => {
  it('plans the steps the time left buys, never fewer than done nor than 1', () => {
    assert.equal(plannedTotalSteps({ budgetMs: 60_000, elapsedMs: 0, stepsDone: 0, msPerStep: 100 }), 600);
    assert.equal(plannedTotalSteps({ budgetMs: 60_000, elapsedMs: 30_000, stepsDone: 10, msPerStep: 100 }), 310);
    assert.equal(plannedTotalSteps({ budgetMs: 60_000, elapsedMs: 90_000, stepsDone: 10, msPerStep: 100 }), 10);
    assert.equal(plannedTotalSteps({ budgetMs: 10, elapsedMs: 0, stepsDone: 0, msPerStep: 1000 }), 1);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.nat(1e6), fc.double({ min: 0, max: 1e6, noNaN: true }), (budgetMs, elapsedMs, stepsDone, msPerStep) => {
        const n = plannedTotalSteps({ budgetMs, elapsedMs, stepsDone, msPerStep });
        return Number.isSafeInteger(n) && n >= Math.max(stepsDone, 1);
      }),
    );
  });

  it('charges each step its share of the k-NN measurements', () => {
    assert.equal(msPerPlannedStep(100, 6000, 60_000), 110);
    assert.equal(msPerPlannedStep(100, 0, 60_000), 100);
  });

  it('progress is the step over the plan, whatever the clock says', () => {
    assert.equal(scheduleProgress(0, 10), 0);
    assert.equal(scheduleProgress(5, 10), 0.5);
    assert.equal(scheduleProgress(12, 10), 1);
  });
});
