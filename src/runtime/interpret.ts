/**
 * The float64 reference interpreter: the oracle every backend and every test
 * is checked against. It evaluates a graph node by node with each op's
 * reference evaluation.
 */
import { InputError } from '../shape/errors.js';
import type { Shape } from '../shape/types.js';
import { Tensor, isTensor } from '../ir/tensor.js';
import { graphOf, type Graph } from '../ir/graph.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import type { Program } from '../ir/trace.js';
import { opDef } from '../ops/registry.js';
import { validateData } from '../ops/sources.js';
import type { NDArray } from './ndarray.js';

export interface InterpretOptions {
  /** Throw at the first node whose value holds NaN or ±Infinity, naming it. */
  readonly checkFinite?: boolean;
}

/** An input value: a plain array of numbers (row-major) or an NDArray. */
export type InputValue = ArrayLike<number> | NDArray;

function isNDArray(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && 'data' in x && (x as NDArray).data instanceof Float64Array && 'sizes' in x;
}

function bindInput(node: Tensor, value: InputValue): NDArray {
  const name = String(node.attrs['name']);
  if (isNDArray(value)) {
    const same = value.axes.length === node.rank && value.axes.every((a, i) => a === node.axes[i] && value.sizes[i] === node.sizes[i]);
    if (!same) {
      const show = (axes: readonly string[], sizes: readonly number[]) => `[${axes.map((a, i) => `${a}=${sizes[i]}`).join(', ')}]`;
      throw new InputError(`input ${name}: expected shape ${show(node.axes, node.sizes)}, got ${show(value.axes, value.sizes)}`, name);
    }
  }
  const data = validateData(name, isNDArray(value) ? value.data : value, node.axes, node.sizes);
  return { axes: node.axes, sizes: node.sizes, data };
}

/** Evaluate a graph on values for its formal inputs (in order). */
export function interpret(graph: Graph, inputs: readonly InputValue[], options: InterpretOptions = {}): NDArray[] {
  if (inputs.length !== graph.inputs.length) {
    throw new InputError(`graph takes ${graph.inputs.length} inputs (${graph.inputs.map((x) => x.attrs['name']).join(', ')}), got ${inputs.length}`);
  }
  const values = new Map<Tensor, NDArray>();
  graph.inputs.forEach((x, i) => values.set(x, bindInput(x, inputs[i]!)));
  graph.nodes.forEach((node, index) => {
    if (values.has(node)) return;
    const args = node.inputs.map((x) => values.get(x)!);
    const out = { axes: node.axes, sizes: node.sizes };
    const data = opDef(node.op).evaluate(args, node.attrs as never, out);
    if (options.checkFinite) {
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new NonFiniteError(node, index, bad, data[bad]!);
    }
    values.set(node, { axes: node.axes, sizes: node.sizes, data });
  });
  return graph.outputs.map((o) => values.get(o)!);
}

/** The first node that produced NaN or ±Infinity. */
export class NonFiniteError extends Error {
  constructor(
    readonly node: Tensor,
    readonly nodeIndex: number,
    readonly elementIndex: number,
    readonly value: number,
  ) {
    const inputs = node.inputs.map((x) => x.op).join(', ');
    super(`node ${nodeIndex} (${node.op} of ${inputs || 'nothing'}) produced ${value} at element ${elementIndex}`);
    this.name = 'NonFiniteError';
  }
}

/** The values a tree of tensors stands for. */
export type ValuesOf<T> = T extends Tensor<infer S> ? NDArray<S> : T extends readonly unknown[] ? { [K in keyof T]: ValuesOf<T[K]> } : T extends object ? { [K in keyof T]: ValuesOf<T[K]> } : T;

/** The values a tree of specs needs. */
export type InputsOf<T> = T extends { kind: 'spec' } ? InputValue : T extends readonly unknown[] ? { [K in keyof T]: InputsOf<T[K]> } : T extends object ? { [K in keyof T]: InputsOf<T[K]> } : never;

const isInputValue = (x: unknown): x is InputValue => isNDArray(x) || ArrayBuffer.isView(x) || (Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number'));

/** Run a traced program on argument trees shaped like its specs. */
export function run<A extends readonly unknown[], R>(program: Program<A, R>, ...args: InputsOf<A>): ValuesOf<R> {
  const parts = (args as readonly unknown[]).map((a, i) => flattenTree(a, isInputValue, `arg[${i}]`));
  const flat = { leaves: parts.flatMap((p) => p.leaves), paths: parts.flatMap((p) => p.paths) };
  if (flat.leaves.length !== program.inputPaths.length) {
    throw new InputError(`program takes inputs ${program.inputPaths.join(', ')}; got ${flat.leaves.length} values (${flat.paths.join(', ')})`);
  }
  flat.paths.forEach((p, i) => {
    if (p !== program.inputPaths[i]) throw new InputError(`program expects input ${program.inputPaths[i]} where ${p} was given`, p);
  });
  return unflattenTree(program.outputDef, interpret(program.graph, flat.leaves));
}

/** Evaluate tensors that depend on no formal input (eager use, tests, notebooks). */
export function evaluate<T>(tensors: T, options: InterpretOptions = {}): ValuesOf<T> {
  const flat = flattenTree(tensors, isTensor);
  const graph = graphOf([], flat.leaves);
  const input = graph.nodes.find((n) => n.op === 'input');
  if (input) throw new InputError(`evaluate: the tensors depend on the formal input ${String(input.attrs['name'])}; trace and run the program instead`);
  return unflattenTree(flat.def, interpret(graph, [], options));
}

/** One tensor's values as a Float64Array. */
export function valueOf<S extends Shape>(t: Tensor<S>): Float64Array {
  return evaluate(t).data;
}

/** A scalar tensor's value. */
export function scalarValue(t: Tensor<[]>): number {
  return valueOf(t)[0]!;
}
