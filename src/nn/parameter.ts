/**
 * Bare parameters as record fields: a tensor that belongs to a layer but is
 * no layer itself (layer scale's gamma, DINO head's weight_g). A record's
 * forward receives its value.
 */
import type { Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { full } from '../ops/sources.js';
import type { Field } from './record.js';

/** A parameter field made by init(key, sizes). */
export const parameter = <T>(init: (key: Key, sizes: Sizes) => T): Field<T> => ({ init });

/** A parameter over `axes` filled with one value (sizes from the record's). */
export const filled = <const A extends string[]>(value: number, axes: A): Field<Tensor<A>> => ({ keyless: true, init: (_key, sizes) => full(value, axes, sizes) });
