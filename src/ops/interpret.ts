/**
 * The float64 reference interpreter: the oracle every backend and every test
 * is checked against. It evaluates a graph node by node with each op's
 * reference evaluation.
 */
import { InputError, describeShape } from '../shape/errors.js';
import type { Shape } from '../shape/types.js';
import { Tensor, isTensor } from '../ir/tensor.js';
import { graphOf, type Graph } from '../ir/graph.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import type { Program, SpecsFor } from '../ir/trace.js';
import { opDef } from './registry.js';
import { bindArguments, bindValue } from '../runtime/bind.js';
import { numelOf, type NDArray } from '../runtime/ndarray.js';

/** Options of the float64 interpreter (whether every value is checked finite). */
export interface InterpretOptions {
  /** Throw at the first node whose value holds NaN or ±Infinity, naming it. */
  readonly checkFinite?: boolean;
}

/** An input value: a plain array of numbers (row-major) or an NDArray. */
export type InputValue = ArrayLike<number> | NDArray;

function bindInput(node: Tensor, value: InputValue): NDArray {
  return { axes: node.axes, sizes: node.sizes, data: bindValue(node, String(node.attrs['name']), value, 'float64') as Float64Array };
}

/** The longest Float64Array this runtime allocates (V8: 2^32 - 1 elements on 64-bit; memory runs out well before). */
const MAX_ELEMENTS = 2 ** 32 - 1;

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
    const n = numelOf(node.sizes);
    if (n > MAX_ELEMENTS) throw new RangeError(`node ${index} (${node.op}) has shape ${describeShape(node.axes, node.sizes)}: ${n} elements, more than the reference interpreter's float64 arrays hold (${MAX_ELEMENTS})`);
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
export type InputsOf<T> = unknown extends T ? unknown : T extends SpecsFor<infer P> ? ValuesOf<P> : T extends { kind: 'spec' } ? InputValue : T extends readonly unknown[] ? { [K in keyof T]: InputsOf<T[K]> } : T extends object ? { [K in keyof T]: InputsOf<T[K]> } : never;

/** Run a traced program on argument trees shaped like its specs. */
export function run<A extends readonly unknown[], R>(program: Program<A, R>, ...args: InputsOf<A>): ValuesOf<R> {
  const graph = program.graph;
  const values = bindArguments(program, args, 'float64').map((data, i): NDArray => ({ axes: graph.inputs[i]!.axes, sizes: graph.inputs[i]!.sizes, data: data as Float64Array }));
  return unflattenTree(program.outputDef, interpret(graph, values));
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
