/**
 * The optimiser golden files: PAWS/SuNCEt's SGD (lr in the momentum buffer)
 * inside LARS with a warm-up cosine schedule, and SwAV's torch SGD inside
 * apex LARC with SwAV's schedule. Each replays the file's gradients step by
 * step and reports parameters, momentum buffers and learning rates.
 */
import type { Tensor } from '../../../ir/tensor.js';
import { fromArray, full } from '../../../ops/sources.js';
import { div, mul, add } from '../../../ops/elementwise.js';
import { evaluate } from '../../../ops/interpret.js';
import { goldenData, type GoldenFile } from '../../../io/golden.js';
import { sgd, type SgdState } from '../../../optim/sgd.js';
import { larsGradients } from '../../../optim/lars.js';
import { swavSchedule, warmupCosineSchedule } from '../../../optim/schedules.js';
import { configNumber, configValue, tensorOf, type Component, type ComponentResult } from '../component.js';

type Params = Record<string, Tensor>;

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isGroups = (v: unknown): v is string[][] => Array.isArray(v) && v.every(isStringArray);

function loadParams(file: GoldenFile, names: readonly string[]): Params {
  return Object.fromEntries(
    names.map((name) => {
      const t = tensorOf(file, 'params', name);
      return [name, fromArray(goldenData(t), t.shape.map((_, d) => `d${d}`), t.shape, { name })];
    }),
  );
}

function gradsAt(file: GoldenFile, step: number, params: Params): Params {
  return Object.fromEntries(
    Object.entries(params).map(([name, p]) => {
      const t = tensorOf(file, 'inputs', `step${step}/grad/${name}`);
      return [name, fromArray(goldenData(t), [...p.axes], p.sizes, { name: `grad ${name}` })];
    }),
  );
}

function collect(values: Record<string, { data: Float64Array }>): ComponentResult {
  return { outputs: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.data])), grads: {} };
}

export const larsSuncet: Component = {
  name: 'lars_suncet',
  describe: 'PAWS/SuNCEt optimiser: LARS around SGD with the lr in the momentum buffer, warm-up cosine schedule',
  evaluate(file) {
    const groups = configValue(file, 'param_groups', isGroups, 'a list of parameter-name lists');
    const names = groups.flat();
    const excluded = new Set(groups[1] ?? []);
    const ipe = configNumber(file, 'iterations_per_epoch');
    const schedule = warmupCosineSchedule({
      warmupSteps: configNumber(file, 'warmup') * ipe,
      startLr: configNumber(file, 'start_lr'),
      refLr: configNumber(file, 'ref_lr'),
      finalLr: configNumber(file, 'final_lr'),
      tMax: configNumber(file, 'num_epochs') * ipe,
    });
    const steps = configNumber(file, 'steps');
    const inner = sgd({ momentum: configNumber(file, 'momentum'), nesterov: Boolean(file.config['nesterov']), lrInBuffer: true });
    let params = loadParams(file, names);
    let state = inner.init(params) as SgdState;
    const out: Record<string, Tensor> = { warmup_cosine_lr_by_step: fromArray(Array.from({ length: steps + 2 }, (_, t) => schedule.at(t)), ['t'], [steps + 2]) };
    for (let t = 0; t < steps; t++) {
      const lr = schedule.at(t);
      const { grads, ratios } = larsGradients(params, gradsAt(file, t, params), {
        trustCoefficient: configNumber(file, 'trust_coefficient'),
        eps: configNumber(file, 'lars_eps'),
        weightDecay: configNumber(file, 'weight_decay'),
        exclude: (path) => excluded.has(path),
      }, lr);
      const applied = ratios.reduce<Tensor<[]>>((s, r) => add(s, r.applies), full(0, [], []));
      const total = ratios.reduce<Tensor<[]>>((s, r) => add(s, mul(r.ratio, r.applies)), full(0, [], []));
      out[`step${t}/lars_adaptive_lr_mean`] = div(total, applied);
      out[`step${t}/lr_used`] = fromArray(groups.map(() => lr), ['group'], [groups.length]);
      ({ params, state } = inner.step(params, grads, state, lr) as { params: Params; state: SgdState });
      for (const name of names) {
        out[`step${t}/param/${name}`] = params[name]!;
        out[`step${t}/momentum_buffer/${name}`] = (state.momentum as Params)[name]!;
      }
    }
    return collect(evaluate(out));
  },
};

export const larsSwav: Component = {
  name: 'lars_swav',
  describe: "SwAV optimiser: apex LARC (clip off) around torch SGD, SwAV's warm-up cosine schedule",
  evaluate(file) {
    const names = configValue(file, 'param_order', isStringArray, 'a list of parameter names');
    const schedule = swavSchedule({
      baseLr: configNumber(file, 'base_lr'),
      finalLr: configNumber(file, 'final_lr'),
      startWarmup: configNumber(file, 'start_warmup'),
      warmupEpochs: configNumber(file, 'warmup_epochs'),
      epochs: configNumber(file, 'epochs'),
      iterationsPerEpoch: configNumber(file, 'iterations_per_epoch'),
    });
    const steps = configNumber(file, 'steps');
    const inner = sgd({ momentum: configNumber(file, 'momentum') });
    let params = loadParams(file, names);
    let state = inner.init(params) as SgdState;
    const out: Record<string, Tensor> = { lr_schedule: fromArray(schedule.values(), ['t'], [schedule.length]) };
    for (let t = 0; t < steps; t++) {
      const lr = schedule.at(t);
      const { grads } = larsGradients(params, gradsAt(file, t, params), {
        trustCoefficient: configNumber(file, 'trust_coefficient'),
        eps: configNumber(file, 'larc_eps'),
        weightDecay: configNumber(file, 'wd'),
        clip: Boolean(file.config['clip']),
      }, lr);
      out[`step${t}/lr_used`] = fromArray([lr], [], []);
      ({ params, state } = inner.step(params, grads, state, lr) as { params: Params; state: SgdState });
      for (const name of names) {
        out[`step${t}/param/${name}`] = params[name]!;
        out[`step${t}/momentum_buffer/${name}`] = (state.momentum as Params)[name]!;
      }
    }
    return collect(evaluate(out));
  },
};
