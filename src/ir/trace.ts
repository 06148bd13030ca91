/**
 * Tracing: call a plain function on formal input tensors and record what it
 * builds as a Graph. Inputs and outputs may be trees (records and arrays).
 */
import type { Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import { Tensor, isTensor } from './tensor.js';
import { recording } from './context.js';
import { graphWithNodes, type Graph } from './graph.js';
import { flattenTree, unflattenTree, type TreeDef } from './tree.js';

/** The axes and sizes of a formal input. */
export interface TensorSpec<S extends Shape = Shape> {
  readonly kind: 'spec';
  readonly axes: S;
  readonly sizes: readonly number[];
  /** The input's name in printed graphs and messages (default: its path in the arguments). */
  readonly name?: string;
}

export function isSpec(x: unknown): x is TensorSpec {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'spec';
}

/** spec(['B', 'C'], { B: 64, C: 32 }) or spec(['B', 'C'], [64, 32]). */
export function spec<const S extends string[]>(axes: S, sizes: Sizes | readonly number[], name?: string): TensorSpec<S> {
  const resolved = Array.isArray(sizes)
    ? [...(sizes as readonly number[])]
    : axes.map((a) => {
        const n = (sizes as Sizes)[a];
        if (n === undefined) throw new ShapeError(`spec: no size bound for axis ${a}`, { axis: a });
        return n;
      });
  if (resolved.length !== axes.length) throw new ShapeError(`spec: ${axes.length} axes [${axes.join(', ')}] but ${resolved.length} sizes`);
  resolved.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`spec: axis ${axes[i]} has size ${n}; sizes must be non-negative integers`, { axis: axes[i]! });
  });
  if (new Set(axes).size !== axes.length) throw new ShapeError(`spec: repeated axis in [${axes.join(', ')}]`);
  return Object.freeze({ kind: 'spec', axes, sizes: Object.freeze(resolved), ...(name === undefined ? {} : { name }) });
}

/** Specs bound from one record of sizes: `const s = bindSizes({ B: 2, C: 3 }); s(['B', 'C'])`. */
export function bindSizes(sizes: Sizes) {
  return <const S extends string[]>(axes: S, name?: string): TensorSpec<S> => spec(axes, sizes, name);
}

declare const specsOfTree: unique symbol;

/**
 * Specs standing for a whole tree of type P (a parameter tree), whatever P is: `trace` hands its
 * function a P there, and running the program takes `ValuesOf<P>`. For code generic in P, where
 * the spec tree's own type cannot be mapped back to P (`specsFor` in train/step-parts makes one).
 */
export type SpecsFor<P> = { readonly [specsOfTree]: P };

/** The tensors a tree of specs stands for. */
export type TensorsOf<T> = unknown extends T
  ? unknown // an untyped subtree (a backbone's parameters behind `unknown`) stays untyped
  : T extends SpecsFor<infer P>
    ? P
    : T extends TensorSpec<infer S> ? Tensor<S> : T extends readonly unknown[] ? { -readonly [K in keyof T]: TensorsOf<T[K]> } : T extends object ? { -readonly [K in keyof T]: TensorsOf<T[K]> } : never;

/** A traced program: its graph, the paths of its inputs in the argument trees, and the tree shapes of arguments and results. */
export interface Program<Args extends readonly unknown[] = readonly unknown[], Out = unknown> {
  readonly graph: Graph;
  /** Path of each formal input in the argument trees, e.g. 'params.w1'. */
  readonly inputPaths: readonly string[];
  readonly inputDef: TreeDef;
  readonly outputDef: TreeDef;
  /** Phantom: the argument and result types, for typed `run`. */
  readonly __types?: (args: Args) => Out;
}

/** Trace fn on formal inputs described by specs (one spec tree per argument). */
export function trace<const A extends readonly unknown[], R>(fn: (...args: TensorsOf<A>) => R, ...specs: A): Program<A, R> {
  const flat = flattenTree(specs, isSpec, 'arg');
  const inputs = flat.leaves.map(
    (s, index) => new Tensor('input', { name: s.name ?? flat.paths[index]!, index, axes: s.axes, sizes: s.sizes }, [], s.axes, s.sizes),
  );
  const args = unflattenTree<TensorsOf<A>>(flat.def, inputs);
  const { result: outputs, created } = recording(() => fn(...args));
  const out = flattenTree(outputs, isTensor, 'out');
  return Object.freeze({
    graph: graphWithNodes(inputs, out.leaves, created),
    inputPaths: flat.paths,
    inputDef: flat.def,
    outputDef: out.def,
  });
}

