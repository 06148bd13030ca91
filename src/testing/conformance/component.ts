/**
 * A conformance component evaluates one golden file's module with our code:
 * given the file's config, inputs and params, it returns its outputs and
 * gradients under the file's own keys, in the file's (PyTorch) layouts.
 */
import type { GoldenFile, GoldenTensor } from '../../io/golden.js';
import type { Tensor } from '../../ir/tensor.js';

import type { Backend } from '../../compile/compile.js';

/** The float64 reference interpreter, or a compiler backend (native wasm, or gpu.js on one of its backends). */
export type BackendName = 'reference' | Backend;

/** A value a component produces: a tensor (evaluated by the runner on the chosen backend) or host numbers. */
export type ComponentValue = Tensor | ArrayLike<number>;

export interface ComponentResult {
  readonly outputs: Readonly<Record<string, ComponentValue>>;
  readonly grads: Readonly<Record<string, ComponentValue>>;
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** A conformance component: what golden files name, and how it evaluates their inputs. */
export interface Component {
  /** The golden file's base name, e.g. 'xca' for xca.json. */
  readonly name: string;
  readonly describe: string;
  /** Overrides the default (float64: 1e-9 + 1e-9·|ref|; float32 files: 1e-5 absolute). */
  readonly tolerance?: Tolerance;
  /** A tolerance for one tensor (e.g. values the reference computed in float32); undefined falls back. */
  readonly toleranceFor?: (section: 'outputs' | 'grads', key: string, expected: GoldenTensor) => Tolerance | undefined;
  /** The component's outputs for a golden file's inputs and configuration, on a backend. */
  evaluate(file: GoldenFile, backend: BackendName): ComponentResult;
}

export function configNumber(file: GoldenFile, name: string): number {
  const v = file.config[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.${name}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

export function configValue<T>(file: GoldenFile, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = file.config[name];
  if (!check(v)) throw new Error(`config.${name}: expected ${what}, got ${JSON.stringify(v)}`);
  return v;
}

export function tensorOf(file: GoldenFile, section: 'inputs' | 'params' | 'outputs' | 'grads', name: string) {
  const t = file[section][name];
  if (t === undefined) throw new Error(`${section}.${name}: missing from the golden file`);
  return t;
}
