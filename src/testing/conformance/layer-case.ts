/**
 * The common shape of a module's golden case: tensors built from the file,
 * an output y, loss = Σ y ⊙ R, and gradients of the loss with respect to
 * chosen inputs and parameters, all evaluated in one go.
 */
import type { Tensor } from '../../ir/tensor.js';
import { isTensor } from '../../ir/tensor.js';
import { fromArray } from '../../ops/sources.js';
import { mul } from '../../ops/elementwise.js';
import { sumAxes } from '../../ops/reduce.js';
import { valueAndGrad } from '../../autodiff/grad.js';
import { evaluate } from '../../runtime/interpret.js';
import type { GoldenFile } from '../../io/golden.js';
import { goldenData } from '../../io/golden.js';
import { tensorOf } from './component.js';

/** A tensor holding a golden tensor's values, with our axis names (one per dimension). */
export function goldenTensor<const S extends string[]>(file: GoldenFile, section: 'inputs' | 'params', name: string, axes: S): Tensor<S> {
  const g = tensorOf(file, section, name);
  if (g.shape.length !== axes.length) throw new Error(`${section}.${name}: shape [${g.shape.join(', ')}] has ${g.shape.length} dimensions, expected axes [${axes.join(', ')}]`);
  return fromArray(goldenData(g), axes, g.shape, { name });
}

/** Σ y ⊙ R, the scalar whose gradients golden files store. */
export function projectedLoss(y: Tensor, r: Tensor): Tensor<[]> {
  return sumAxes(mul(y as Tensor<string[]>, r as Tensor<string[]>), y.axes) as Tensor<[]>;
}

export interface CaseResult {
  readonly outputs: Record<string, Float64Array>;
  readonly grads: Record<string, Float64Array>;
}

/**
 * Evaluate `forward` on the differentiable tensors `wrt` (a record keyed by
 * golden gradient name); forward returns named outputs and the loss.
 * Output and gradient keys get `prefix` (for files with sub-cases: 'eval/').
 */
export function evaluateCase(
  wrt: Readonly<Record<string, Tensor>>,
  forward: (vars: Readonly<Record<string, Tensor>>) => { loss: Tensor<[]>; outputs: Readonly<Record<string, Tensor>> },
  prefix = '',
): CaseResult {
  let outputs: Readonly<Record<string, Tensor>> = {};
  const [loss, grads] = valueAndGrad((vars: Readonly<Record<string, Tensor>>) => {
    const r = forward(vars);
    outputs = r.outputs;
    return r.loss;
  })(wrt);
  const values = evaluate({ loss, outputs, grads });
  const out: Record<string, Float64Array> = { [`${prefix}loss`]: values.loss.data };
  for (const [k, v] of Object.entries(values.outputs)) if (isNDArrayLike(v)) out[`${prefix}${k}`] = v.data;
  const g: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(values.grads)) if (isNDArrayLike(v)) g[`${prefix}${k}`] = v.data;
  return { outputs: out, grads: g };
}

function isNDArrayLike(x: unknown): x is { data: Float64Array } {
  return typeof x === 'object' && x !== null && (x as { data?: unknown }).data instanceof Float64Array && !isTensor(x);
}
