/**
 * Schedules as values. A schedule knows its unit (epochs or iterations), how
 * many steps it defines, its value at any step, and the whole list of values
 * (to plot or check before training). The formulas follow the official code
 * to the last operation, so the values agree bit for bit with numpy/Python:
 *
 * - `cosineSchedule`: DINO's `utils.cosine_scheduler` (linear warm-up, then a
 *   cosine that never quite reaches the final value).
 * - `teacherTemperatureSchedule`: DINO's teacher temperature (linspace over the
 *   warm-up epochs, then constant).
 * - `emaMomentumSchedule`: DINO's teacher momentum, a cosine from the base
 *   momentum to 1 over all iterations.
 * - `warmupCosineSchedule`: PAWS' `WarmupCosineSchedule` (LambdaLR), defined
 *   for every step (after T_max it rises again, as the original).
 * - `swavSchedule`: SwAV's learning rate (linspace warm-up, then cosine).
 *
 * Nothing here is mutable: `at(step)` is a pure function of the step.
 */

export type ScheduleUnit = 'epoch' | 'iteration';

/** A schedule whose unit is in its type ('epoch' or 'iteration'): `at(step)` and `values()`. */
export interface Schedule<U extends ScheduleUnit = ScheduleUnit> {
  readonly name: string;
  readonly unit: U;
  /**
   * Number of steps the schedule lists (what `values()` returns). `at` may be
   * defined beyond it (`unbounded`); otherwise a step outside [0, length) throws.
   */
  readonly length: number;
  /** True when `at` is defined for every step ≥ 0, not just below `length`. */
  readonly unbounded: boolean;
  /** The value at a step counted in `unit`, from 0. */
  at(step: number): number;
  /** The values at steps 0 .. length-1. */
  values(): Float64Array;
}

function checkStep(name: string, unit: ScheduleUnit, step: number, length: number, unbounded: boolean): void {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`${name}: step ${step} is not a non-negative integer ${unit} index`);
  if (!unbounded && step >= length) throw new RangeError(`${name}: ${unit} ${step} is outside the schedule's ${length} ${unit}s [0, ${length})`);
}

function requireCount(name: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: ${what} must be a non-negative integer, got ${n}`);
}

/** A schedule listed in advance: an array of values with a unit. */
export function tabulated<U extends ScheduleUnit>(name: string, unit: U, table: ArrayLike<number>): Schedule<U> {
  const data = Float64Array.from(table);
  return Object.freeze({
    name,
    unit,
    length: data.length,
    unbounded: false,
    at(step: number): number {
      checkStep(name, unit, step, data.length, false);
      return data[step]!;
    },
    values: () => Float64Array.from(data),
  });
}

/** A schedule given by a formula of the step, defined for every step ≥ 0 and listed over `length` steps. */
export function formula<U extends ScheduleUnit>(name: string, unit: U, length: number, f: (step: number) => number): Schedule<U> {
  requireCount(name, 'length', length);
  return Object.freeze({
    name,
    unit,
    length,
    unbounded: true,
    at(step: number): number {
      checkStep(name, unit, step, length, true);
      return f(step);
    },
    values: () => Float64Array.from({ length }, (_, i) => f(i)),
  });
}

/** A constant value (defined at every step). */
export function constantSchedule<U extends ScheduleUnit>(value: number, unit: U, length = 1): Schedule<U> {
  return formula(`constant(${value})`, unit, length, () => value);
}

/** numpy's linspace(a, b, n): y[i] = i·step + a, step = (b - a)/(n - 1), y[n-1] = b exactly. */
export function linspace(a: number, b: number, n: number): Float64Array {
  requireCount('linspace', 'n', n);
  const out = new Float64Array(n);
  if (n === 0) return out;
  if (n === 1) {
    out[0] = a;
    return out;
  }
  const div = n - 1;
  const delta = b - a;
  const step = delta / div;
  for (let i = 0; i < n; i++) out[i] = step === 0 ? ((i / div) * delta) + a : i * step + a;
  out[n - 1] = b;
  return out;
}

/**
 * An epoch-based schedule seen per iteration: iteration t has the value of
 * epoch ⌊t / iterationsPerEpoch⌋.
 */
export function perIteration(schedule: Schedule<'epoch'>, iterationsPerEpoch: number): Schedule<'iteration'> {
  requireCount(schedule.name, 'iterationsPerEpoch', iterationsPerEpoch);
  if (iterationsPerEpoch === 0) throw new RangeError(`${schedule.name}: iterationsPerEpoch must be positive`);
  const length = schedule.length * iterationsPerEpoch;
  const name = `${schedule.name} per iteration`;
  return Object.freeze({
    name,
    unit: 'iteration' as const,
    length,
    unbounded: schedule.unbounded,
    at(step: number): number {
      checkStep(name, 'iteration', step, length, schedule.unbounded);
      return schedule.at(Math.floor(step / iterationsPerEpoch));
    },
    values: () => Float64Array.from({ length }, (_, i) => schedule.at(Math.floor(i / iterationsPerEpoch))),
  });
}

/** A cosine schedule: base and final values, warm-up, length. */
export interface CosineScheduleOptions {
  readonly baseValue: number;
  readonly finalValue: number;
  readonly epochs: number;
  readonly iterationsPerEpoch: number;
  /** Epochs of linear warm-up from startWarmupValue to baseValue (default 0). */
  readonly warmupEpochs?: number;
  readonly startWarmupValue?: number;
}

/**
 * DINO's cosine_scheduler, per iteration: linspace(start, base, W) over the
 * W = warmupEpochs·iterationsPerEpoch warm-up iterations, then for i = 0..L-1
 * (L = epochs·iterationsPerEpoch - W) `final + 0.5·(base - final)·(1 + cos(π·i/L))`.
 */
export function cosineSchedule(options: CosineScheduleOptions): Schedule<'iteration'> {
  const { baseValue: base, finalValue: final, epochs, iterationsPerEpoch: ipe } = options;
  const warmupEpochs = options.warmupEpochs ?? 0;
  const start = options.startWarmupValue ?? 0;
  requireCount('cosineSchedule', 'epochs', epochs);
  requireCount('cosineSchedule', 'iterationsPerEpoch', ipe);
  requireCount('cosineSchedule', 'warmupEpochs', warmupEpochs);
  const warmupIters = warmupEpochs * ipe;
  const total = epochs * ipe;
  if (warmupIters > total) throw new RangeError(`cosineSchedule: ${warmupEpochs} warm-up epochs exceed the ${epochs} epochs`);
  const warm = warmupEpochs > 0 ? linspace(start, base, warmupIters) : new Float64Array(0);
  const l = total - warmupIters;
  const table = new Float64Array(total);
  table.set(warm);
  for (let i = 0; i < l; i++) table[warmupIters + i] = final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * i) / l));
  return tabulated('cosineSchedule', 'iteration', table);
}

/** DINO's teacher temperature: warm-up from one value to another over epochs. */
export interface TeacherTemperatureOptions {
  readonly warmupTeacherTemp: number;
  readonly teacherTemp: number;
  readonly warmupTeacherTempEpochs: number;
  readonly epochs: number;
}

/** DINO's teacher temperature per epoch: linspace(warmup, final, w), then the final value for the remaining epochs. */
export function teacherTemperatureSchedule(options: TeacherTemperatureOptions): Schedule<'epoch'> {
  const { warmupTeacherTemp, teacherTemp, warmupTeacherTempEpochs: w, epochs } = options;
  requireCount('teacherTemperatureSchedule', 'warmupTeacherTempEpochs', w);
  requireCount('teacherTemperatureSchedule', 'epochs', epochs);
  if (w > epochs) throw new RangeError(`teacherTemperatureSchedule: ${w} warm-up epochs exceed the ${epochs} epochs`);
  const table = new Float64Array(epochs);
  table.set(linspace(warmupTeacherTemp, teacherTemp, w));
  // np.ones(n) * teacher_temp
  for (let i = w; i < epochs; i++) table[i] = 1 * teacherTemp;
  return tabulated('teacherTemperatureSchedule', 'epoch', table);
}

/** DINO's teacher momentum schedule: base momentum, epochs, iterations per epoch. */
export interface EmaMomentumOptions {
  /** The momentum at the first iteration (DINO: momentum_teacher, 0.996). */
  readonly base: number;
  /** The value the cosine tends to (DINO: 1). */
  readonly final?: number;
  readonly epochs: number;
  readonly iterationsPerEpoch: number;
}

/** DINO's EMA momentum: cosine_scheduler(momentum_teacher, 1, epochs, niter_per_ep). */
export function emaMomentumSchedule(options: EmaMomentumOptions): Schedule<'iteration'> {
  const s = cosineSchedule({ baseValue: options.base, finalValue: options.final ?? 1, epochs: options.epochs, iterationsPerEpoch: options.iterationsPerEpoch });
  return { ...s, name: 'emaMomentumSchedule', at: (step: number) => s.at(step), values: () => s.values() };
}

/** A linear warm-up followed by a cosine. */
export interface WarmupCosineOptions {
  /** warmup·iterations_per_epoch */
  readonly warmupSteps: number;
  readonly startLr: number;
  readonly refLr: number;
  /** num_epochs·iterations_per_epoch (the warm-up included). */
  readonly tMax: number;
  readonly finalLr?: number;
}

/**
 * PAWS/SuNCEt's WarmupCosineSchedule (a LambdaLR on base lr = refLr), per
 * iteration: linear warm-up, then `max(final, final + (ref - final)·0.5·(1 + cos(π·p)))`
 * with p = (t - W)/max(1, T_max - W); applied as ref·(new/ref) like LambdaLR.
 * Defined for every step; listed over tMax steps.
 */
export function warmupCosineSchedule(options: WarmupCosineOptions): Schedule<'iteration'> {
  const { warmupSteps, startLr, refLr, tMax } = options;
  const finalLr = options.finalLr ?? 0;
  requireCount('warmupCosineSchedule', 'warmupSteps', warmupSteps);
  requireCount('warmupCosineSchedule', 'tMax', tMax);
  const cosineSteps = tMax - warmupSteps;
  const lambda = (step: number): number => {
    if (step < warmupSteps) {
      const progress = step / Math.max(1, warmupSteps);
      const lr = startLr + progress * (refLr - startLr);
      return lr / refLr;
    }
    const progress = (step - warmupSteps) / Math.max(1, cosineSteps);
    const lr = Math.max(finalLr, finalLr + (refLr - finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    return lr / refLr;
  };
  return formula('warmupCosineSchedule', 'iteration', Math.max(0, tMax), (t) => refLr * lambda(t));
}

/** SwAV's learning-rate schedule: base and final rates, warm-up, epochs, iterations per epoch. */
export interface SwavScheduleOptions {
  readonly baseLr: number;
  readonly finalLr: number;
  readonly startWarmup: number;
  readonly warmupEpochs: number;
  readonly epochs: number;
  readonly iterationsPerEpoch: number;
}

/**
 * SwAV's learning rate per iteration: linspace(start_warmup, base_lr, ipe·warmup_epochs),
 * then `final + 0.5·(base - final)·(1 + cos(π·t/(ipe·(epochs - warmup_epochs))))`.
 * The warm-up ends on base_lr and the cosine starts on it again.
 */
export function swavSchedule(options: SwavScheduleOptions): Schedule<'iteration'> {
  const { baseLr: base, finalLr: final, startWarmup, warmupEpochs, epochs, iterationsPerEpoch: ipe } = options;
  requireCount('swavSchedule', 'epochs', epochs);
  requireCount('swavSchedule', 'warmupEpochs', warmupEpochs);
  requireCount('swavSchedule', 'iterationsPerEpoch', ipe);
  if (warmupEpochs > epochs) throw new RangeError(`swavSchedule: ${warmupEpochs} warm-up epochs exceed the ${epochs} epochs`);
  const warm = linspace(startWarmup, base, ipe * warmupEpochs);
  const n = ipe * (epochs - warmupEpochs);
  const table = new Float64Array(warm.length + n);
  table.set(warm);
  for (let t = 0; t < n; t++) table[warm.length + t] = final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * t) / n));
  return tabulated('swavSchedule', 'iteration', table);
}
