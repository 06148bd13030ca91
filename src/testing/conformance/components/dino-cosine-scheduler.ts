/** DINO's utils.cosine_scheduler, one schedule per case of the file's config. */
import { cosineSchedule } from '../../../optim/schedules.js';
import type { Component } from '../component.js';

const num = (record: Record<string, unknown>, name: string, fallback?: number): number => {
  const v = record[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.cases: ${name} must be a number, got ${JSON.stringify(v)}`);
  return v;
};

export const dinoCosineScheduler: Component = {
  name: 'dino_cosine_scheduler',
  describe: 'DINO cosine_scheduler: linear warm-up then cosine, per iteration',
  evaluate(file) {
    const cases = file.config['cases'];
    if (typeof cases !== 'object' || cases === null) throw new Error('config.cases: expected an object of schedules');
    const defaults = (file.config['defaults'] ?? {}) as Record<string, unknown>;
    const outputs: Record<string, Float64Array> = {};
    for (const [name, raw] of Object.entries(cases as Record<string, Record<string, unknown>>)) {
      const schedule = cosineSchedule({
        baseValue: num(raw, 'base_value'),
        finalValue: num(raw, 'final_value'),
        epochs: num(raw, 'epochs'),
        iterationsPerEpoch: num(raw, 'niter_per_ep'),
        warmupEpochs: num(raw, 'warmup_epochs', num(defaults, 'warmup_epochs', 0)),
        startWarmupValue: num(raw, 'start_warmup_value', num(defaults, 'start_warmup_value', 0)),
      });
      outputs[`${name}/schedule`] = schedule.values();
    }
    return { outputs, grads: {} };
  },
};
