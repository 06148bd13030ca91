/**
 * Layout and reduction ops name the axes they touch: transpose takes a
 * permutation, broadcast a superset, sum / flatten / unflatten / rename axes
 * the tensor has.
 */
import { broadcast, flatten, fromArray, rename, spec, sum, trace, transpose, unflatten, type Tensor } from '../../src/index.js';
import type { Equal, Expect, ResultOf } from './expect.js';

declare const x: Tensor<['B', 'N', 'C']>;
declare const bc: Tensor<['B', 'C']>;
declare const img: Tensor<['B', 'H', 'W', 'C']>;
const sizes = { B: 2, N: 3, C: 4, H: 2, W: 2 };
const xv = fromArray(new Float64Array(24), ['B', 'N', 'C'], sizes);

// ---- accepted -------------------------------------------------------------

const t1 = transpose(x, ['C', 'B', 'N']);
export type T1 = Expect<Equal<typeof t1, Tensor<['C', 'B', 'N']>>>;

const t2 = transpose(xv, ['B', 'C', 'N']);
export type T2 = Expect<Equal<typeof t2, Tensor<['B', 'C', 'N']>>>;

const b1 = broadcast(bc, ['B', 'N', 'C'], sizes);
export type T3 = Expect<Equal<typeof b1, Tensor<['B', 'N', 'C']>>>;

// broadcast may also reorder x's own axes.
const b2 = broadcast(bc, ['C', 'N', 'B'], sizes);
export type T4 = Expect<Equal<typeof b2, Tensor<['C', 'N', 'B']>>>;

const r1 = sum(x, 'N');
export type T5 = Expect<Equal<typeof r1, Tensor<['B', 'C']>>>;

const r2 = sum(x, ['B', 'N']);
export type T6 = Expect<Equal<typeof r2, Tensor<['C']>>>;

const r3 = sum(x);
export type T7 = Expect<Equal<typeof r3, Tensor<[]>>>;

const f1 = flatten(img, 'H', 'W');
export type T8 = Expect<Equal<typeof f1, Tensor<['B', 'H*W', 'C']>>>;

const u1 = unflatten(f1, 'H*W', ['H', 'W'], sizes);
export type T9 = Expect<Equal<typeof u1, Tensor<['B', 'H', 'W', 'C']>>>;

const n1 = rename(x, { C: 'D' });
export type T10 = Expect<Equal<typeof n1, Tensor<['B', 'N', 'D']>>>;

const program = trace((x) => sum(transpose(x, ['C', 'N', 'B']), 'N'), spec(['B', 'N', 'C'], sizes));
export type T11 = Expect<Equal<ResultOf<typeof program>, Tensor<['C', 'B']>>>;

// ---- rejected -------------------------------------------------------------

// @ts-expect-error transpose: [B, C] is not a permutation of [B, N, C] (N is missing)
transpose(x, ['B', 'C']);

// @ts-expect-error transpose: [B, N, C, D] is not a permutation of [B, N, C] (D is extra)
transpose(x, ['B', 'N', 'C', 'D']);

// @ts-expect-error transpose: [B, N, X] is not a permutation of [B, N, C] (X for C)
transpose(x, ['B', 'N', 'X']);

// @ts-expect-error transpose: [B, B, C] repeats B and misses N
transpose(x, ['B', 'B', 'C']);

// @ts-expect-error transpose on a value built by fromArray: [N, B] is not a permutation of [B, N, C]
transpose(xv, ['N', 'B']);

// @ts-expect-error broadcast to [B, N, D]: the target lacks x's axis C
broadcast(bc, ['B', 'N', 'D'], { B: 2, N: 3, D: 4 });

// @ts-expect-error broadcast to [N, C]: the target lacks x's axis B
broadcast(bc, ['N', 'C'], sizes);

// @ts-expect-error sum over D, which [B, N, C] does not have
sum(x, 'D');

// @ts-expect-error sum over [B, D]: D is not an axis of [B, N, C]
sum(x, ['B', 'D']);

// @ts-expect-error sum over N gives [B, C], not [B, N]
export const wrongSum: Tensor<['B', 'N']> = sum(x, 'N');

// @ts-expect-error flatten X and W: X is not an axis of [B, H, W, C]
flatten(img, 'X', 'W');

// @ts-expect-error flatten H and Y: Y is not an axis of [B, H, W, C]
flatten(img, 'H', 'Y');

// @ts-expect-error flatten on a value built by fromArray: H and W are not axes of [B, N, C]
flatten(xv, 'H', 'W');

// @ts-expect-error unflatten H*W of [B, N, C], which has no such axis
unflatten(x, 'H*W', ['H', 'W'], sizes);

// @ts-expect-error rename X, which [B, N, C] does not have
rename(x, { X: 'Y' });

// @ts-expect-error inside a traced function: sum over D of [B, N, C]
trace((x) => sum(x, 'D'), spec(['B', 'N', 'C'], sizes));

// @ts-expect-error flatten W and H: the pair must be adjacent and in order
flatten(img, 'W', 'H');

// @ts-expect-error flatten B and W: B is not followed by W in [B, H, W, C]
flatten(img, 'B', 'W');

// @ts-expect-error rename with a valid key and an unknown key X
rename(x, { B: 'Z', X: 'Y' });
