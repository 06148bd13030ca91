/**
 * Layers (src/nn/layer.ts): `apply` accepts only inputs of the layer's shape.
 * `linear(I, O)` is generic in the leading axes and maps the last axis I to O.
 */
import { broadcast, fromArray, mul, spec, sum, trace, type Tensor } from '../../src/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import type { Equal, Expect, ResultOf } from './expect.js';

declare const x: Tensor<['B', 'N', 'C']>;
declare const xWrong: Tensor<['B', 'N', 'X']>;
declare const xNotLast: Tensor<['B', 'C', 'N']>;
declare const xSwapped: Tensor<['N', 'B', 'C']>;
declare const wWrong: Tensor<['E', 'C']>;
const sizes = { B: 2, N: 3, C: 4, D: 5 };
const xv = fromArray(new Float64Array(8), ['B', 'C'], sizes);

const layer = linear('C', 'D');
const params = layer.init([0, 0], sizes);
const noBias = linear('C', 'D', { bias: false });
const noBiasParams = noBias.init([0, 0], sizes);

/** A fixed-shape layer written by hand against the Layer interface: a scaled sum over N. */
const pool: Layer<{ readonly scale: Tensor<[]> }, ['B', 'N', 'C'], ['B', 'C']> = {
  init: () => ({ scale: fromArray([1], [], []) }),
  apply: (p, x) => mul(sum(x, 'N'), broadcast(p.scale, ['B', 'C'], [x.size('B'), x.size('C')])),
};

// ---- accepted -------------------------------------------------------------

export type T1 = Expect<Equal<typeof params, LinearParams<'C', 'D'>>>;
export type T2 = Expect<Equal<LinearParams<'C', 'D'>, { readonly weight: Tensor<['D', 'C']>; readonly bias: Tensor<['D']> }>>;
export type T2b = Expect<Equal<LinearParams<'C', 'C'>, { readonly weight: Tensor<["C'", 'C']>; readonly bias: Tensor<['C']> }>>;
export type T3 = Expect<Equal<typeof noBiasParams, { readonly weight: Tensor<['D', 'C']> }>>;

const y1 = layer.apply(params, x);
export type T4 = Expect<Equal<typeof y1, Tensor<['B', 'N', 'D']>>>;

const y2 = layer.apply(params, xv);
export type T5 = Expect<Equal<typeof y2, Tensor<['B', 'D']>>>;

const y3 = noBias.apply(noBiasParams, x);
export type T6 = Expect<Equal<typeof y3, Tensor<['B', 'N', 'D']>>>;

// One linear value is a Layer for every input shape ending in C.
const fixed: Layer<LinearParams<'C', 'D'>, ['B', 'N', 'C'], ['B', 'N', 'D']> = layer;
const y4 = fixed.apply(params, x);
export type T7 = Expect<Equal<typeof y4, Tensor<['B', 'N', 'D']>>>;

// The call spelled in the design, with explicit type arguments.
const explicit = linear<'C', 'D'>('C', 'D', { bias: true });
export type T10 = Expect<Equal<ReturnType<typeof explicit.init>, LinearParams<'C', 'D'>>>;

const y5 = pool.apply(pool.init([0, 0], sizes), x);
export type T8 = Expect<Equal<typeof y5, Tensor<['B', 'C']>>>;

const program = trace((x, weight, bias) => layer.apply({ weight, bias }, x), spec(['B', 'N', 'C'], sizes), spec(['D', 'C'], sizes), spec(['D'], sizes));
export type T9 = Expect<Equal<ResultOf<typeof program>, Tensor<['B', 'N', 'D']>>>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error linear(C, D) applied to [B, N, X]: the last axis is X, not C
layer.apply(params, xWrong);

// @ts-expect-error linear(C, D) applied to [B, C, N]: C is not the last axis
layer.apply(params, xNotLast);

// @ts-expect-error a Layer fixed to [B, N, C] applied to [B, N, X]
fixed.apply(params, xWrong);

// @ts-expect-error a Layer fixed to [B, N, C] applied to [N, B, C] (same axes, other order)
fixed.apply(params, xSwapped);

// @ts-expect-error a Layer fixed to [B, N, C] applied to [B, C] built by fromArray
fixed.apply(params, xv);

// @ts-expect-error a hand-written Layer fixed to [B, N, C] applied to [B, C, N]
pool.apply(pool.init([0, 0], sizes), xNotLast);

// @ts-expect-error linear(C, D) maps [..., C] to [..., D], so it is no Layer from [B, N, C] to [B, N, E]
export const wrongOut: Layer<LinearParams<'C', 'D'>, ['B', 'N', 'C'], ['B', 'N', 'E']> = layer;

// @ts-expect-error linear(C, D) is no Layer from [B, N, X]
export const wrongIn: Layer<LinearParams<'C', 'D'>, ['B', 'N', 'X'], ['B', 'N', 'D']> = layer;

// @ts-expect-error the weights must have axes [D, C], not [E, C]
layer.apply({ weight: wWrong, bias: params.bias }, x);

// @ts-expect-error a layer with a bias needs the parameter bias
layer.apply(noBiasParams, x);

// @ts-expect-error the output is [B, N, D], not [B, N, C]
export const wrongResult: Tensor<['B', 'N', 'C']> = layer.apply(params, x);

// @ts-expect-error inside a traced function: the input is [B, C, N], whose last axis is not C
trace((x, weight, bias) => layer.apply({ weight, bias }, x), spec(['B', 'C', 'N'], sizes), spec(['D', 'C'], sizes), spec(['D'], sizes));

// A square projection keeps the axis name.
const square = linear('C', 'C');
export type T11 = Expect<Equal<ReturnType<typeof square.apply<['B', 'N', 'C']>>, Tensor<['B', 'N', 'C']>>>;
