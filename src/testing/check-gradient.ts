/**
 * checkGradient: compare reverse-mode gradients with central finite
 * differences, in float64 on the reference interpreter. A function with a
 * non-scalar result is checked through a fixed random projection
 * sum(f(x) * R), which tests the whole vector-Jacobian product.
 */
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import { interpret } from '../ops/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { fromArray } from '../ops/sources.js';
import { mul } from '../ops/elementwise.js';
import { sumAxes } from '../ops/reduce.js';
import { normal } from '../runtime/prng.js';
import { key as makeKey } from '../runtime/prng.js';

/** Finite differences' step, tolerances and seed. */
export interface GradientCheckOptions {
  /** Finite-difference step, relative to max(1, |x|). */
  readonly step?: number;
  readonly atol?: number;
  readonly rtol?: number;
  /** Seed of the projection R for non-scalar results. */
  readonly seed?: number;
}

/** Where autodiff and finite differences disagree most. */
export interface GradientMismatch {
  readonly input: number;
  readonly index: number;
  readonly autodiff: number;
  readonly numeric: number;
}

/** Whether the gradient check passed, the worst mismatch and a message. */
export interface GradientCheckResult {
  readonly ok: boolean;
  readonly maxAbsError: number;
  readonly worst: GradientMismatch | undefined;
  readonly message: string;
}

type Fn = (...xs: Tensor[]) => Tensor;

/** The scalar whose gradient is checked: f itself, or its projection on a fixed random tensor. */
function projected(f: Fn, seed: number): (xs: Tensor[]) => Tensor<[]> {
  return (xs) => {
    const y = f(...xs);
    if (!isTensor(y)) throw new TypeError('checkGradient: the function must return a tensor');
    if (y.rank === 0) return y as Tensor<[]>;
    const r = fromArray(normal(makeKey(seed), y.numel), [...y.axes], y.sizes, { name: 'R' });
    return sumAxes(mul(y as Tensor<string[]>, r), y.axes) as Tensor<[]>;
  };
}

/** Compare a function's autodiff gradients with central finite differences at the given inputs (float64); reports the worst error. */
export function checkGradient(f: Fn, inputs: readonly NDArray[], options: GradientCheckOptions = {}): GradientCheckResult {
  const h = options.step ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const loss = projected(f, options.seed ?? 7);
  const specs = inputs.map((x) => spec([...x.axes], x.sizes));
  const gradProgram = trace((...xs: Tensor[]) => valueAndGrad(loss)(xs), ...specs);
  const lossProgram = trace((...xs: Tensor[]) => loss(xs), ...specs);
  const outs = interpret(gradProgram.graph, inputs);
  const grads = outs.slice(1);
  const lossAt = (values: NDArray[]) => interpret(lossProgram.graph, values)[0]!.data[0]!;

  let maxAbsError = 0;
  let worst: GradientMismatch | undefined;
  let worstExcess = 0;
  inputs.forEach((x, i) => {
    for (let j = 0; j < x.data.length; j++) {
      const step = h * Math.max(1, Math.abs(x.data[j]!));
      const at = (delta: number) => {
        const data = Float64Array.from(x.data);
        data[j] = data[j]! + delta;
        return lossAt(inputs.map((v, k) => (k === i ? { ...v, data } : v)));
      };
      const numeric = (at(step) - at(-step)) / (2 * step);
      const autodiff = grads[i]!.data[j]!;
      const err = Math.abs(numeric - autodiff);
      const excess = err - (atol + rtol * Math.abs(numeric));
      if (!(err <= maxAbsError)) maxAbsError = err;
      if (!(excess <= worstExcess) || Number.isNaN(err)) {
        worstExcess = Number.isNaN(err) ? Infinity : excess;
        worst = { input: i, index: j, autodiff, numeric };
      }
    }
  });
  const ok = worst === undefined;
  const message = ok
    ? `gradients agree (max abs error ${maxAbsError.toExponential(2)})`
    : `gradient of input ${worst!.input} [${inputs[worst!.input]!.axes.map((a, k) => `${a}=${inputs[worst!.input]!.sizes[k]}`).join(', ')}] at element ${worst!.index}: autodiff ${worst!.autodiff}, finite differences ${worst!.numeric}`;
  return { ok, maxAbsError, worst, message };
}

/** checkGradient that throws with its message when gradients disagree (for use inside properties). */
export function assertGradient(f: Fn, inputs: readonly NDArray[], options: GradientCheckOptions = {}): void {
  const result = checkGradient(f, inputs, options);
  if (!result.ok) throw new Error(result.message);
}
