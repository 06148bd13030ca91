/**
 * contract(x, y, over) sums over an axis present in both operands; other shared
 * axes are batch axes. einsum contractions must agree on the contracted axis.
 */
import { contract, einsum, fromArray, spec, trace, type Tensor } from '../../src/index.js';
import type { Equal, Expect, ResultOf } from './expect.js';

declare const x: Tensor<['B', 'N', 'C']>;
declare const w: Tensor<['C', 'D']>;
declare const bcd: Tensor<['B', 'C', 'D']>;
declare const q: Tensor<['B', 'N', 'C']>;
declare const k: Tensor<['B', 'M', 'C']>;
declare const ed: Tensor<['E', 'D']>;
declare const bd: Tensor<['B', 'D']>;
const sizes = { N: 2, C: 3, D: 4 };
const xv = fromArray(new Float64Array(6), ['N', 'C'], sizes);
const wv = fromArray(new Float64Array(12), ['C', 'D'], sizes);
const dv = fromArray(new Float64Array(8), ['N', 'D'], sizes);

// ---- accepted -------------------------------------------------------------

const y1 = contract(x, w, 'C');
export type T1 = Expect<Equal<typeof y1, Tensor<['B', 'N', 'D']>>>;

// B is shared: a batch axis, kept once.
const y2 = contract(x, bcd, 'C');
export type T2 = Expect<Equal<typeof y2, Tensor<['B', 'N', 'D']>>>;

const scores = contract(q, k, 'C');
export type T3 = Expect<Equal<typeof scores, Tensor<['B', 'N', 'M']>>>;

const y4 = contract(xv, wv, 'C');
export type T4 = Expect<Equal<typeof y4, Tensor<['N', 'D']>>>;

const y5 = einsum('B N C, B M C -> B N M', q, k);
export type T5 = Expect<Equal<typeof y5, Tensor<['B', 'N', 'M']>>>;

const program = trace((x, w) => contract(x, w, 'C'), spec(['N', 'C'], sizes), spec(['C', 'D'], sizes));
export type T6 = Expect<Equal<ResultOf<typeof program>, Tensor<['N', 'D']>>>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error contract over C, which the second operand [E, D] lacks
contract(x, ed, 'C');

// @ts-expect-error contract over C, which the first operand [B, D] lacks
contract(bd, w, 'C');

// @ts-expect-error contract over E, which is in neither operand
contract(x, w, 'E');

// @ts-expect-error contract over N, which only the first operand has
contract(x, w, 'N');

// @ts-expect-error contract over D on values built by fromArray: [N, C] has no D
contract(xv, wv, 'D');

// @ts-expect-error the axis to contract must be a literal known to the checker
contract(x, w, 'C' as string);

// @ts-expect-error the contracted axes are unequal: [B, N, C] and [E, D] under 'B N C, C D'
einsum('B N C, C D -> B N D', x, ed);

// @ts-expect-error contract([N, C], [C, D], C) is [N, D], not [N, C]
export const wrongResult: Tensor<['N', 'C']> = contract(xv, wv, 'C');

// @ts-expect-error contract([N, C], [N, D], C): D's operand has no C
contract(xv, dv, 'C');

// @ts-expect-error inside a traced function: contract over C with an operand [D, E]
trace((x, w) => contract(x, w, 'C'), spec(['N', 'C'], sizes), spec(['D', 'E'], { D: 4, E: 5 }));
