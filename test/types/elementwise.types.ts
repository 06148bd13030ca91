/**
 * Elementwise binary ops take operands with the same axes in the same order;
 * broadcasting is explicit, numbers are the one exception.
 */
import { add, broadcast, exp, fromArray, maximum, mul, select, spec, sub, trace, transpose, type Tensor } from '../../src/index.js';
import type { Equal, Expect, ResultOf } from './expect.js';

declare const bc: Tensor<['B', 'C']>;
declare const cb: Tensor<['C', 'B']>;
declare const bd: Tensor<['B', 'D']>;
declare const bnc: Tensor<['B', 'N', 'C']>;
declare const c: Tensor<['C']>;
declare const untyped: Tensor;
const sizes = { B: 2, C: 3 };
const bcv = fromArray([1, 2, 3, 4, 5, 6], ['B', 'C'], sizes);
const cbv = fromArray([1, 2, 3, 4, 5, 6], ['C', 'B'], sizes);

// ---- accepted -------------------------------------------------------------

const s1 = add(bc, bc);
export type T1 = Expect<Equal<typeof s1, Tensor<['B', 'C']>>>;

const s2 = mul(bcv, bcv);
export type T2 = Expect<Equal<typeof s2, Tensor<['B', 'C']>>>;

const s3 = sub(bc, 2);
export type T3 = Expect<Equal<typeof s3, Tensor<['B', 'C']>>>;

const s4 = sub(2, bc);
export type T4 = Expect<Equal<typeof s4, Tensor<['B', 'C']>>>;

const s5 = exp(cb);
export type T5 = Expect<Equal<typeof s5, Tensor<['C', 'B']>>>;

// Different layouts are combined after an explicit transpose or broadcast.
const s6 = add(bcv, transpose(cbv, ['B', 'C']));
export type T6 = Expect<Equal<typeof s6, Tensor<['B', 'C']>>>;

const s7 = mul(bnc, broadcast(c, ['B', 'N', 'C'], { B: 2, N: 4, C: 3 }));
export type T7 = Expect<Equal<typeof s7, Tensor<['B', 'N', 'C']>>>;

const s8 = select(bc, bc, 0);
export type T8 = Expect<Equal<typeof s8, Tensor<['B', 'C']>>>;

const program = trace((x, y) => maximum(x, y), spec(['B', 'C'], sizes), spec(['B', 'C'], sizes));
export type T9 = Expect<Equal<ResultOf<typeof program>, Tensor<['B', 'C']>>>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error [B, C] + [C, B]: same axes in another order (transpose first)
add(bc, cb);

// @ts-expect-error [C, B] + [B, C]: the first operand fixes the layout
add(cb, bc);

// @ts-expect-error [B, C] * [C, B] on values built by fromArray
mul(bcv, cbv);

// @ts-expect-error [B, C] + [B, D]: different axes
add(bc, bd);

// @ts-expect-error [B, C] - [B, N, C]: no implicit broadcasting
sub(bc, bnc);

// @ts-expect-error [B, N, C] * [C]: no implicit broadcasting of the smaller operand either
mul(bnc, c);

// @ts-expect-error number - [B, C] is [B, C], not [C, B]
export const wrongResult: Tensor<['C', 'B']> = sub(1, bc);

// @ts-expect-error select's branches must have the condition's axes
select(bc, bc, cb);

// @ts-expect-error an untyped Tensor (axes unknown) is not accepted where [B, C] is needed
add(bc, untyped);

// @ts-expect-error inside a traced function: [B, C] + [C, B]
trace((x, y) => add(x, y), spec(['B', 'C'], sizes), spec(['C', 'B'], sizes));
