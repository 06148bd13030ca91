/**
 * Float32 host values: what a compiled program returns when asked for its
 * outputs in float32 (`compile(program, { outputs: 'float32' })`), the
 * precision its kernels computed in, without widening to float64.
 */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { ValuesOf } from '../ops/interpret.js';

/** The precision of a compiled program's outputs: float64 (widened, the default) or float32 (as computed). */
export type OutputPrecision = 'float64' | 'float32';

/** A concrete float32 array: axes, sizes and float32 data (row-major). */
export interface NDArray32<S extends Shape = Shape> {
  readonly axes: S;
  readonly sizes: readonly number[];
  readonly data: Float32Array;
}

/** The float32 values a tree of tensors stands for. */
export type Values32Of<T> = T extends Tensor<infer S> ? NDArray32<S> : T extends readonly unknown[] ? { [K in keyof T]: Values32Of<T[K]> } : T extends object ? { [K in keyof T]: Values32Of<T[K]> } : T;

/** A program's outputs in the asked precision. */
export type OutputsOf<R, P extends OutputPrecision> = P extends 'float32' ? Values32Of<R> : ValuesOf<R>;
