/**
 * Records (src/nn/record.ts): the parameters' type comes from the fields, and
 * the forward's calls are typed by each field's shapes.
 */
import type { Tensor } from '../../src/index.js';
import { at, record, type RecordParams } from '../../src/nn/record.js';
import { gamma, scaleBy } from '../../src/nn/layer-scale.js';
import { layerNorm, type LayerNormParams } from '../../src/nn/layer-norm.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { add } from '../../src/ops/elementwise.js';
import type { Equal, Expect } from './expect.js';

type Tokens = ['B', 'N', 'C'];
const tokens = at<Tokens>();
declare const x: Tensor<Tokens>;
declare const xWrong: Tensor<['B', 'N', 'X']>;

const block = record({ norm1: tokens(layerNorm('C')), proj: tokens(linear('C', 'C')), gamma1: gamma('C', 0.1) }, (f, x: Tensor<Tokens>) => add(x, scaleBy(f.gamma1, f.proj(f.norm1(x)))));
const params = block.init([0, 0], { C: 4 });

// ---- accepted -------------------------------------------------------------

export type T1 = Expect<Equal<typeof params, RecordParams<typeof block.fields>>>;
export type T2 = Expect<Equal<(typeof params)['norm1'], LayerNormParams<'C'>>>;
export type T3 = Expect<Equal<(typeof params)['proj'], LinearParams<'C', 'C'>>>;
export type T4 = Expect<Equal<(typeof params)['gamma1'], Tensor<['C']>>>;
const y = block.apply(params, x);
export type T5 = Expect<Equal<typeof y, Tensor<Tokens>>>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error a record over [B, N, C] applied to [B, N, X]
block.apply(params, xWrong);

// @ts-expect-error parameters missing a field (gamma1)
block.apply({ norm1: params.norm1, proj: params.proj }, x);

// @ts-expect-error a field applied to a tensor of another shape inside the forward
record({ norm1: tokens(layerNorm('C')) }, (f, x: Tensor<Tokens>) => f.norm1(x as unknown as Tensor<['B', 'N', 'X']>));

// @ts-expect-error a parameter field is a value, not a function
record({ gamma1: gamma('C', 0.1) }, (f, x: Tensor<Tokens>) => f.gamma1(x));
