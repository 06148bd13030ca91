/**
 * The one node type of the IR. A Tensor is an immutable node of a DAG: the op
 * that makes it, the op's attributes, its input nodes, and its named axes with
 * their sizes. Programs are built by calling ops on tensors; nothing is
 * computed until a graph is interpreted or compiled.
 */
import type { Shape } from '../shape/types.js';
import { recordNode } from './context.js';

/** Attribute values: plain immutable data, so nodes can be hashed and printed. */
export type AttrValue =
  | number
  | string
  | boolean
  | null
  | Float64Array
  | readonly AttrValue[]
  | { readonly [key: string]: AttrValue };

/** A node's attributes (an op's parameters: axes, sizes, values), by name. */
export type Attrs = { readonly [key: string]: AttrValue };

/** A node of the IR: an op, its attributes, its inputs, and named axes `S` with their sizes (nothing is computed until the graph is run). */
export class Tensor<S extends Shape = Shape> {
  readonly op: string;
  readonly attrs: Attrs;
  readonly inputs: readonly Tensor[];
  readonly axes: S;
  readonly sizes: readonly number[];

  constructor(op: string, attrs: Attrs, inputs: readonly Tensor[], axes: S, sizes: readonly number[]) {
    this.op = op;
    this.attrs = Object.freeze({ ...attrs });
    this.inputs = Object.freeze([...inputs]);
    this.axes = Object.freeze([...axes]) as unknown as S;
    this.sizes = Object.freeze([...sizes]);
    Object.freeze(this);
    recordNode(this);
  }

  get rank(): number {
    return this.axes.length;
  }

  /** Number of elements. */
  get numel(): number {
    return this.sizes.reduce((a, b) => a * b, 1);
  }

  /** The size of a named axis. */
  size(axis: S[number]): number {
    const i = this.axes.indexOf(axis);
    if (i < 0) throw new RangeError(`tensor has no axis ${axis}; its axes are [${this.axes.join(', ')}]`);
    return this.sizes[i]!;
  }

  /** Sizes as a record, e.g. { B: 2, C: 3 }. */
  get sizeRecord(): Readonly<Record<S[number], number>> {
    const out: Record<string, number> = {};
    this.axes.forEach((a, i) => (out[a] = this.sizes[i]!));
    return out as Readonly<Record<S[number], number>>;
  }

  /** The tensor's op, axes and sizes, e.g. for messages. */
  toString(): string {
    return `Tensor<${this.op}>[${this.axes.map((a, i) => `${a}=${this.sizes[i]}`).join(', ')}]`;
  }
}

/** A scalar tensor: no axes. */
export type Scalar = Tensor<[]>;

/** Whether x is a graph tensor (not a concrete array). */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
