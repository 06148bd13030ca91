import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { dinoCosineScheduler } from '../../src/testing/conformance/components/dino-cosine-scheduler.js';
import {
  constantSchedule,
  cosineSchedule,
  emaMomentumSchedule,
  linspace,
  perIteration,
  swavSchedule,
  teacherTemperatureSchedule,
  warmupCosineSchedule,
} from '../../src/optim/schedules.js';

const golden = (name: string) => JSON.parse(readFileSync(`test/fixtures/golden/${name}.json`, 'utf8')) as {
  config: Record<string, number>;
  outputs: Record<string, { data: number[] }>;
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    assert.ok(Math.abs(actual[i]! - e) <= tol + tol * Math.abs(e), `element ${i}: ${actual[i]} vs ${e}`);
  }
}

describe('optim/schedules', () => {
  it('dino_cosine_scheduler.json: every line passes', () => {
    const report = checkFile('test/fixtures/golden/dino_cosine_scheduler.json', { components: { [dinoCosineScheduler.name]: dinoCosineScheduler } });
    assert.equal(report.error, undefined);
    assert.ok(report.lines.length > 0);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it("PAWS' WarmupCosineSchedule matches lars_suncet.json's lr by step (including past T_max)", () => {
    const g = golden('lars_suncet');
    const c = g.config;
    const s = warmupCosineSchedule({ warmupSteps: c['warmup']! * c['iterations_per_epoch']!, startLr: c['start_lr']!, refLr: c['ref_lr']!, tMax: c['num_epochs']! * c['iterations_per_epoch']!, finalLr: c['final_lr']! });
    const expected = g.outputs['warmup_cosine_lr_by_step']!.data;
    close(Array.from({ length: expected.length }, (_, t) => s.at(t)), expected);
    assert.equal(s.unit, 'iteration');
    assert.ok(s.unbounded);
  });

  it("SwAV's schedule matches lars_swav.json's lr_schedule, with base_lr twice at the junction", () => {
    const g = golden('lars_swav');
    const c = g.config;
    const s = swavSchedule({ baseLr: c['base_lr']!, finalLr: c['final_lr']!, startWarmup: c['start_warmup']!, warmupEpochs: c['warmup_epochs']!, epochs: c['epochs']!, iterationsPerEpoch: c['iterations_per_epoch']! });
    close(s.values(), g.outputs['lr_schedule']!.data);
    const w = c['warmup_epochs']! * c['iterations_per_epoch']!;
    assert.equal(s.at(w - 1), c['base_lr']);
    assert.equal(s.at(w), c['base_lr']);
  });

  it('teacher temperature: linspace over the warm-up epochs, then constant; unit epoch', () => {
    const s = teacherTemperatureSchedule({ warmupTeacherTemp: 0.04, teacherTemp: 0.07, warmupTeacherTempEpochs: 3, epochs: 6 });
    assert.equal(s.unit, 'epoch');
    close(s.values(), [0.04, 0.055, 0.07, 0.07, 0.07, 0.07], 1e-15);
    assert.throws(() => s.at(6), /epoch 6 is outside/);
    const it = perIteration(s, 4);
    assert.equal(it.unit, 'iteration');
    assert.equal(it.length, 24);
    assert.equal(it.at(5), s.at(1));
  });

  it('EMA momentum: cosine from the base momentum towards 1, never reaching it', () => {
    const s = emaMomentumSchedule({ base: 0.996, epochs: 3, iterationsPerEpoch: 5 });
    const v = s.values();
    assert.equal(v[0], 0.996);
    for (let i = 1; i < v.length; i++) assert.ok(v[i]! > v[i - 1]! && v[i]! < 1);
  });

  it('cosine schedule: length epochs·iterations, warm-up ends at base, values within [min, max] of the endpoints', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
        (base, final, epochs, ipe, warmup) => {
          const w = Math.min(warmup, epochs);
          const s = cosineSchedule({ baseValue: base, finalValue: final, epochs, iterationsPerEpoch: ipe, warmupEpochs: w, startWarmupValue: 0 });
          assert.equal(s.length, epochs * ipe);
          const v = s.values();
          if (w * ipe > 1) assert.equal(v[w * ipe - 1], base); // numpy: linspace(a, b, 1) is [a]
          const lo = Math.min(0, base, final) - 1e-12;
          const hi = Math.max(base, final) + 1e-12;
          v.forEach((x) => assert.ok(x >= lo && x <= hi));
          if (w < epochs) assert.ok(Math.abs(v[w * ipe]! - base) <= 1e-15 * Math.max(1, Math.abs(base) + Math.abs(final)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("linspace is numpy's (endpoints exact, n = 0 and 1)", () => {
    assert.deepEqual(Array.from(linspace(1, 2, 0)), []);
    assert.deepEqual(Array.from(linspace(1, 2, 1)), [1]);
    const v = linspace(0.04, 0.07, 3);
    assert.equal(v[2], 0.07);
    assert.equal(v[1], 1 * ((0.07 - 0.04) / 2) + 0.04);
  });

  it('constant schedules are defined at every step; bad steps are refused', () => {
    const s = constantSchedule(0.5, 'iteration', 3);
    assert.equal(s.at(100), 0.5);
    assert.throws(() => s.at(-1), /not a non-negative integer/);
    assert.throws(() => cosineSchedule({ baseValue: 1, finalValue: 0, epochs: 2, iterationsPerEpoch: 2, warmupEpochs: 3 }), /exceed/);
  });
});
