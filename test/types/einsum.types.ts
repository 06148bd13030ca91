/**
 * einsum: the spec is parsed by the type checker, so the operands' axes, their
 * count and the spec's own well-formedness are checked at compile time.
 */
import { einsum, fromArray, spec, trace, type EinsumInputs, type EinsumOutput, type Tensor, type ValidSpec } from '../../src/index.js';
import type { Equal, Expect, ResultOf } from './expect.js';

declare const x: Tensor<['B', 'N', 'C']>;
declare const w: Tensor<['C', 'D']>;
declare const xWrong: Tensor<['B', 'N', 'X']>;
declare const xShort: Tensor<['B', 'N']>;
declare const xSwapped: Tensor<['N', 'B', 'C']>;
declare const a: Tensor<['A', 'B']>;
declare const b: Tensor<['B', 'C']>;
declare const c: Tensor<['C', 'D']>;
const sizes = { B: 2, N: 3, C: 4, D: 5 };
const xv = fromArray(new Float64Array(24), ['B', 'N', 'C'], sizes);
const wv = fromArray(new Float64Array(20), ['C', 'D'], sizes);

// ---- accepted -------------------------------------------------------------

const y = einsum('B N C, C D -> B N D', x, w);
export type T1 = Expect<Equal<typeof y, Tensor<['B', 'N', 'D']>>>;

const yv = einsum('B N C, C D -> B N D', xv, wv);
export type T2 = Expect<Equal<typeof yv, Tensor<['B', 'N', 'D']>>>;

const spaced = einsum('  B  N   C ,C    D->B N  D ', x, w);
export type T3 = Expect<Equal<typeof spaced, Tensor<['B', 'N', 'D']>>>;

const reduced = einsum('B N C -> B C', x);
export type T4 = Expect<Equal<typeof reduced, Tensor<['B', 'C']>>>;

const permuted = einsum('B N C -> C B N', x);
export type T5 = Expect<Equal<typeof permuted, Tensor<['C', 'B', 'N']>>>;

const chain = einsum('A B, B C, C D -> A D', a, b, c);
export type T6 = Expect<Equal<typeof chain, Tensor<['A', 'D']>>>;

const total = einsum('B N C, B N C ->', x, x);
export type T7 = Expect<Equal<typeof total, Tensor<[]>>>;

const program = trace((x, w) => einsum('B N C, C D -> B N D', x, w), spec(['B', 'N', 'C'], sizes), spec(['C', 'D'], sizes));
export type T8 = Expect<Equal<ResultOf<typeof program>, Tensor<['B', 'N', 'D']>>>;

// The type-level parser itself.
export type T9 = Expect<Equal<EinsumInputs<'B N C, C D -> B N D'>, [['B', 'N', 'C'], ['C', 'D']]>>;
export type T10 = Expect<Equal<EinsumOutput<'B N C, C D -> B N D'>, ['B', 'N', 'D']>>;
export type T11 = Expect<Equal<ValidSpec<'B N C, C D -> B N D'>, 'B N C, C D -> B N D'>>;
export type T12 = Expect<Equal<ValidSpec<'B N C, C D -> B N E'>, "einsum: output axis 'E' appears in no operand of 'B N C, C D -> B N E'">>;
export type T13 = Expect<Equal<ValidSpec<'B C C, C D -> B D'>, "einsum: an axis is repeated within an operand of 'B C C, C D -> B D'">>;
export type T14 = Expect<Equal<ValidSpec<'B N C, C D'>, "einsum: 'B N C, C D' has no '->'">>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error the first operand has axis X where the spec says C
einsum('B N C, C D -> B N D', xWrong, w);

// @ts-expect-error the first operand has axes in another order than its term
einsum('B N C, C D -> B N D', xSwapped, w);

// @ts-expect-error the first operand has two axes but its term has three
einsum('B N C, C D -> B N D', xShort, w);

// @ts-expect-error the operands are given in the wrong order
einsum('B N C, C D -> B N D', w, x);

// @ts-expect-error too few operands: the spec has two, one is given
einsum('B N C, C D -> B N D', x);

// @ts-expect-error too few operands: none is given
einsum('B N C, C D -> B N D');

// @ts-expect-error too many operands: the spec has two, three are given
einsum('B N C, C D -> B N D', x, w, w);

// @ts-expect-error too many operands: the spec has one, two are given
einsum('B N C -> B C', x, w);

// @ts-expect-error output axis E appears in no operand
einsum('B N C, C D -> B N E', x, w);

// @ts-expect-error axis C is repeated within the first term
einsum('B C C, C D -> B D', x, w);

// @ts-expect-error axis D is repeated within the second term
einsum('B N C, D D -> B N D', x, w);

// @ts-expect-error axis D is repeated in the output
einsum('B N C, C D -> B N D D', x, w);

// @ts-expect-error the spec has no arrow
einsum('B N C, C D  B N D', x, w);

// @ts-expect-error the spec has two arrows
einsum('B N C, C D -> B N D -> B D', x, w);

// @ts-expect-error the result has axes [B, N, D], not [B, D]
export const wrongResult: Tensor<['B', 'D']> = einsum('B N C, C D -> B N D', x, w);

// @ts-expect-error inside a traced function: the second formal input has axes [D, C], not [C, D]
trace((x, w) => einsum('B N C, C D -> B N D', x, w), spec(['B', 'N', 'C'], sizes), spec(['D', 'C'], sizes));
