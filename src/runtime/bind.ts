/**
 * The argument binder: run()'s argument trees checked against a program's
 * formal inputs, the same way for the reference interpreter and for every
 * compiled backend (one error class, one set of messages). The trees must
 * have the specs' structure (keys by name, arrays by length); an NDArray must
 * carry the input's axis names and sizes; the data must have the input's
 * element count and only finite values; compiled backends, which compute in
 * float32, also refuse a finite value beyond float32's range (it would
 * become infinite, then NaN).
 */
import { InputError, describeShape } from '../shape/errors.js';
import type { TreeDef } from '../ir/tree.js';
import type { Tensor } from '../ir/tensor.js';
import type { Program } from '../ir/trace.js';
import { numelOf, stridesOf, type NDArray } from './ndarray.js';

/** What the data becomes: the interpreter's float64, or the compiled backends' float32. */
export type Precision = 'float64' | 'float32';

/** The largest finite float32, as the messages print it. */
const FLOAT32_MAX = '3.4028235e38';

function isNDArray(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'data' in x && 'axes' in x && 'sizes' in x;
}

/** A leaf of run()'s arguments: numbers (an empty array too), a typed array, or an NDArray. */
export function isInputLeaf(x: unknown): boolean {
  return isNDArray(x) || ArrayBuffer.isView(x) || (Array.isArray(x) && x.every((v) => typeof v === 'number'));
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}

/** One argument tree's leaves in the order of its spec (appended to leaves), or an InputError naming the path that does not fit. */
export function treeLeaves(def: TreeDef, x: unknown, path: string, leaves: unknown[]): void {
  switch (def.kind) {
    case 'leaf':
      if (!isInputLeaf(x)) throw new InputError(`input ${path}: expected an array of numbers, a typed array or an NDArray; got ${describe(x)}`, path);
      leaves.push(x);
      return;
    case 'array':
      if (!Array.isArray(x) || x.length !== def.items.length) {
        throw new InputError(`input ${path}: expected an array of ${def.items.length}; got ${describe(x)}`, path);
      }
      def.items.forEach((d, i) => treeLeaves(d, x[i], `${path}[${i}]`, leaves));
      return;
    case 'record': {
      if (typeof x !== 'object' || x === null || Array.isArray(x) || isInputLeaf(x)) throw new InputError(`input ${path}: expected a record with keys ${def.keys.join(', ')}; got ${describe(x)}`, path);
      const given = Object.keys(x).sort();
      if (given.join('\u0000') !== def.keys.join('\u0000')) {
        throw new InputError(`input ${path}: expected keys ${def.keys.join(', ')}; got ${given.join(', ') || 'none'}`, path);
      }
      def.keys.forEach((k, i) => treeLeaves(def.items[i]!, (x as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, leaves));
      return;
    }
  }
}

/** The argument trees' leaves in the order of the specs, or an InputError naming the path that does not fit. */
export function argumentLeaves(inputDef: TreeDef, args: readonly unknown[]): unknown[] {
  if (inputDef.kind !== 'array') throw new Error('argumentLeaves: a program takes an array of argument trees');
  if (args.length !== inputDef.items.length) throw new InputError(`program takes ${inputDef.items.length} arguments; got ${args.length}`);
  const leaves: unknown[] = [];
  inputDef.items.forEach((d, i) => treeLeaves(d, args[i], `arg[${i}]`, leaves));
  return leaves;
}

/** How many leaves (formal inputs) each argument of a program has, in order. */
export function leavesPerArgument(inputDef: TreeDef): number[] {
  if (inputDef.kind !== 'array') throw new Error('leavesPerArgument: a program takes an array of argument trees');
  const count = (d: TreeDef): number => (d.kind === 'leaf' ? 1 : d.items.reduce((n, item) => n + count(item), 0));
  return inputDef.items.map(count);
}

/**
 * The leaves of some of a program's arguments (those at `indices`, given in that order), each with
 * the index of its formal input in the graph. A call that passes every argument, or too few, gets an
 * InputError that names the arguments it takes and why (`why`: what happens to the others).
 */
export function someArgumentLeaves(inputDef: TreeDef, args: readonly unknown[], indices: readonly number[], why: string): { readonly input: number; readonly leaf: unknown }[] {
  if (inputDef.kind !== 'array') throw new Error('someArgumentLeaves: a program takes an array of argument trees');
  if (args.length !== indices.length) {
    const taken = indices.map((i) => `arg[${i}]`).join(', ') || 'none';
    throw new InputError(`program takes ${indices.length} argument${indices.length === 1 ? '' : 's'} (${taken}; ${why}); got ${args.length}`);
  }
  const counts = leavesPerArgument(inputDef);
  const firsts = counts.map((_, i) => counts.slice(0, i).reduce((x, y) => x + y, 0));
  return indices.flatMap((argIndex, k) => {
    const leaves: unknown[] = [];
    treeLeaves(inputDef.items[argIndex]!, args[k], `arg[${argIndex}]`, leaves);
    return leaves.map((leaf, j) => ({ input: firsts[argIndex]! + j, leaf }));
  });
}

/** An input's name in messages: its spec's name, and its path when that differs. */
const labelOf = (node: Tensor, path: string) => {
  const name = String(node.attrs['name']);
  return name === path ? name : `${name} (${path})`;
};

function at(flat: number, axes: readonly string[], sizes: readonly number[]): string {
  const strides = stridesOf(sizes);
  return `[${strides.map((s, i) => `${axes[i]}=${Math.floor(flat / s) % sizes[i]!}`).join(', ')}]`;
}

/** Whether no element is NaN or infinite: x * 0 is NaN exactly for those, and NaN survives the sum (one branch, not one per element). */
function allFinite32(xs: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]! * 0;
  return s === 0;
}

/** A leaf's data after the checks of its shape and element count (the values not yet checked). */
function leafData(node: Tensor, path: string, value: unknown): ArrayLike<unknown> {
  const label = labelOf(node, path);
  let data: ArrayLike<unknown>;
  if (isNDArray(value)) {
    const wrong = node.axes.findIndex((a, i) => value.axes[i] !== a || value.sizes[i] !== node.sizes[i]);
    if (wrong >= 0 || value.axes.length !== node.rank) {
      const which = wrong >= 0 ? `; axis ${wrong}: expected ${node.axes[wrong]}=${node.sizes[wrong]}, got ${value.axes[wrong] ?? 'none'}=${value.sizes[wrong] ?? 'none'}` : '';
      throw new InputError(`input ${label}: expected shape ${describeShape(node.axes, node.sizes)}, got ${describeShape(value.axes, value.sizes)}${which}`, path);
    }
    data = value.data as ArrayLike<unknown>;
  } else if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    data = value as unknown as ArrayLike<unknown>;
  } else {
    throw new InputError(`input ${label}: expected an array of numbers, a typed array or an NDArray; got ${describe(value)}`, path);
  }
  const expected = numelOf(node.sizes);
  if (data.length !== expected) {
    throw new InputError(`input ${label}: ${data.length} value${data.length === 1 ? '' : 's'} given, but shape ${describeShape(node.axes, node.sizes)} needs ${expected}`, path);
  }
  return data;
}

/** The values checked (numbers, finite, within float32's range for float32) and copied into a fresh array. */
function converted(node: Tensor, path: string, data: ArrayLike<unknown>, precision: Precision): Float64Array | Float32Array {
  const label = labelOf(node, path);
  const expected = data.length;
  const out = precision === 'float32' ? new Float32Array(expected) : new Float64Array(expected);
  for (let i = 0; i < expected; i++) {
    const v = data[i];
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new InputError(`input ${label}: element ${at(i, node.axes, node.sizes)} is ${describe(v)}, not a number`, path);
    const x = Number(v);
    if (!Number.isFinite(x)) throw new InputError(`input ${label}: value ${x} at ${at(i, node.axes, node.sizes)} is not finite`, path);
    out[i] = x;
    if (precision === 'float32' && !Number.isFinite(out[i]!)) {
      throw new InputError(`input ${label}: value ${x} at ${at(i, node.axes, node.sizes)} is beyond float32's range (largest ${FLOAT32_MAX}); compiled backends compute in float32`, path);
    }
  }
  return out;
}

/** One leaf checked against its formal input: its data, a fresh array or (float32, already valid) the caller's own. */
export function bindValue(node: Tensor, path: string, value: unknown, precision: Precision): Float64Array | Float32Array {
  const data = leafData(node, path, value);
  if (precision === 'float32' && data instanceof Float32Array && allFinite32(data)) return data;
  return converted(node, path, data, precision);
}

/**
 * One leaf as float32 data, its finiteness left to the caller when it is a Float32Array already
 * (`finiteChecked: false`: the native wasm backend checks it in its own memory, with SIMD, and on
 * failure calls bindValue for the message naming the element).
 */
export function bindFloat32(node: Tensor, path: string, value: unknown): { readonly data: Float32Array; readonly finiteChecked: boolean } {
  const data = leafData(node, path, value);
  if (data instanceof Float32Array) return { data, finiteChecked: false };
  return { data: converted(node, path, data, 'float32') as Float32Array, finiteChecked: true };
}

/** run()'s arguments as one array of data per formal input (in the graph's order), checked. */
export function bindArguments(program: Pick<Program, 'graph' | 'inputPaths' | 'inputDef'>, args: readonly unknown[], precision: Precision): (Float64Array | Float32Array)[] {
  const leaves = argumentLeaves(program.inputDef, args);
  return program.graph.inputs.map((node, i) => bindValue(node, program.inputPaths[i]!, leaves[i], precision));
}
