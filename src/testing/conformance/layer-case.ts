/**
 * The common shape of a module's golden case: tensors built from the file,
 * an output y, loss = Σ y ⊙ R, and gradients of the loss with respect to
 * chosen inputs and parameters, all evaluated in one go.
 */
import type { Tensor } from '../../ir/tensor.js';
import { fromArray } from '../../ops/sources.js';
import { mul } from '../../ops/elementwise.js';
import { sumAxes } from '../../ops/reduce.js';
import { valueAndGrad } from '../../autodiff/grad.js';
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

export type CaseValue = Tensor | ArrayLike<number>;

export interface CaseResult {
  readonly outputs: Record<string, CaseValue>;
  readonly grads: Record<string, CaseValue>;
}

/**
 * The outputs and gradients of `forward` on the differentiable tensors `wrt`
 * (a record keyed by golden gradient name), as tensors: the runner evaluates
 * them on the backend it was asked for. forward returns named outputs and
 * the loss. Keys get `prefix` (for files with sub-cases: 'eval/').
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
  const out: Record<string, CaseValue> = { [`${prefix}loss`]: loss };
  for (const [k, v] of Object.entries(outputs)) out[`${prefix}${k}`] = v;
  const g: Record<string, CaseValue> = {};
  for (const [k, v] of Object.entries(grads)) g[`${prefix}${k}`] = v;
  return { outputs: out, grads: g };
}
