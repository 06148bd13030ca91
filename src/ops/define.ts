/**
 * An op is one declaration holding, side by side, its shape rule, its float64
 * reference evaluation and its vector-Jacobian product; what the compiler
 * knows of it (fusion class, lowering, renderings) is its entry in
 * src/compile/op-rules.ts, keyed by the same name. `apply` is the only way nodes
 * of an op are made, so every node was shape-checked once.
 */
import type { Shape } from '../shape/types.js';
import { Tensor, isTensor, type Attrs } from '../ir/tensor.js';
import type { NDArray } from '../runtime/ndarray.js';

/** The axes and sizes of an op's output. */
export interface OutShape {
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

/** An op's definition: its shape rule, float64 kernel, gradient (VJP) and description. */
export interface OpDef<A extends Attrs = Attrs> {
  readonly name: string;
  /** Result axes and sizes; throws ShapeError naming the axis and sizes on disagreement. */
  readonly shape: (inputs: readonly Tensor[], attrs: A) => OutShape;
  /** float64 reference evaluation. */
  readonly evaluate: (inputs: readonly NDArray[], attrs: A, out: OutShape) => Float64Array;
  /**
   * Cotangents of the inputs given the cotangent of the result, built from ops
   * (so gradients are differentiable again). undefined means zero.
   */
  readonly vjp: (node: Tensor, cotangent: Tensor, attrs: A) => readonly (Tensor | undefined)[];
  /** How the printer shows the attributes (defaults to key=value pairs). */
  readonly describe?: (attrs: A) => string;
}

/** Register a new op (its shape rule, float64 kernel and gradient) so that graphs, the interpreter and the compilers know it. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  return Object.freeze(def);
}

/** Make a node of `op`, checking shapes once. */
export function apply<S extends Shape, A extends Attrs>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor<S> {
  inputs.forEach((x, i) => {
    if (!isTensor(x)) throw new TypeError(`${op.name}: operand ${i} is ${describeValue(x)}, not a Tensor (wrap data with fromArray)`);
  });
  const out = op.shape(inputs, attrs);
  return new Tensor(op.name, attrs, inputs, out.axes as unknown as S, out.sizes);
}

function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return typeof x === 'object' ? `a ${x.constructor?.name ?? 'object'}` : `a ${typeof x}`;
}

/** No gradient flows to any input (comparisons, integer-valued ops, sources). */
export const noGradient = (node: Tensor): readonly (Tensor | undefined)[] => node.inputs.map(() => undefined);
