/**
 * Random tensors from an explicit key. Element i depends only on (key, i)
 * (counter-based Threefry), so a kernel can compute any element alone and the
 * same key always gives the same tensor.
 */
import type { Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { numelOf } from '../runtime/ndarray.js';
import { bitsAt, normalAt, truncatedNormalAt, uniformAt, type Key } from '../runtime/prng.js';
import { apply, defineOp, noGradient } from './define.js';
import { requireSizes } from './check.js';
import { resolveSizes } from './sources.js';

/** The distributions of random tensors: uniform on [0, 1), standard normal, normal truncated to given bounds (in standard deviations), raw 32-bit words. */
export type Distribution = 'uniform' | 'normal' | 'truncatedNormal' | 'bits';

export interface RandomAttrs {
  readonly [key: string]: string | number | readonly number[] | readonly string[];
  readonly key: readonly number[];
  readonly distribution: Distribution;
  /** truncatedNormal only: bounds in standard deviations. */
  readonly lower: number;
  readonly upper: number;
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

const samplers: Record<Distribution, (key: Key, i: number, a: RandomAttrs) => number> = {
  uniform: (k, i) => uniformAt(k, i),
  normal: (k, i) => normalAt(k, i),
  truncatedNormal: (k, i, a) => truncatedNormalAt(k, i, 1, a.lower, a.upper),
  bits: (k, i) => bitsAt(k, i),
};

export const randomOp = defineOp<RandomAttrs>({
  name: 'random',
  shape: (_, a) => {
    requireSizes('random', a.axes, a.sizes);
    return { axes: a.axes, sizes: a.sizes };
  },
  evaluate: (_, a, out) => {
    const key = [a.key[0]!, a.key[1]!] as const;
    const sample = samplers[a.distribution];
    return Float64Array.from({ length: numelOf(out.sizes) }, (_, i) => sample(key, i, a));
  },
  vjp: noGradient,
  describe: (a) => `${a.distribution} key=[${a.key.join(', ')}]`,
});

function random<const S extends string[]>(distribution: Distribution, key: Key, axes: S, sizes: Sizes | readonly number[], lower = -2, upper = 2): Tensor<S> {
  return apply<S, RandomAttrs>(randomOp, [], { key: [key[0], key[1]], distribution, lower, upper, axes, sizes: resolveSizes('random', axes, sizes) });
}

/** Uniform in (0, 1). */
export const uniform = <const S extends string[]>(key: Key, axes: S, sizes: Sizes | readonly number[]): Tensor<S> => random('uniform', key, axes, sizes);
/** Standard normal. */
export const normal = <const S extends string[]>(key: Key, axes: S, sizes: Sizes | readonly number[]): Tensor<S> => random('normal', key, axes, sizes);
/** Standard normal truncated to [lower, upper] (in standard deviations). */
export const truncatedNormal = <const S extends string[]>(key: Key, axes: S, sizes: Sizes | readonly number[], lower = -2, upper = 2): Tensor<S> =>
  random('truncatedNormal', key, axes, sizes, lower, upper);
/** Uniform 32-bit unsigned integers (as float64). */
export const randomBits = <const S extends string[]>(key: Key, axes: S, sizes: Sizes | readonly number[]): Tensor<S> => random('bits', key, axes, sizes);
