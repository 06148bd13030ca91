/**
 * Layers: a pair of pure functions, `init` (key and sizes to parameters) and
 * `apply` (parameters and input to output). Parameters are plain trees of
 * tensors named as in the official PyTorch code (`qkv.weight`, `norm1.bias`),
 * so checkpoints and golden files map onto them directly.
 *
 * `apply` takes an optional context: training or evaluation, a key for
 * randomness (dropout, drop-path), and the layer's path in the model. Side
 * outputs (new BatchNorm statistics, attention maps) are emitted by path and
 * returned by `runLayer`: state is a value the caller threads, never a field.
 */
import type { Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { foldIn, type Key } from '../runtime/prng.js';
import { hashString } from '../ir/hash.js';

/** What `apply` gets besides its input: training or evaluation, a key for randomness, the parameter path, and where emitted state goes. */
export interface ApplyContext {
  readonly training: boolean;
  readonly key: Key | undefined;
  /** Where this layer sits in the model, e.g. ['blocks', '0', 'attn']. */
  readonly path: readonly string[];
  /** Record a side output under this layer's path (see runLayer). */
  readonly emit: (name: string, value: Tensor) => void;
}

/** A layer maps a Tensor<In> to a Tensor<Out> with parameters P. */
export interface Layer<P, In extends Shape, Out extends Shape> {
  /** Fresh parameters from a key, for the sizes of the axes the layer's parameters use. */
  init(key: Key, sizes: Sizes): P;
  /** True when init draws nothing from its key (norms, activations): a record then spends none of its keys on it. */
  readonly keyless?: boolean;
  /** The output for input x with these parameters; ctx says training or evaluation, and collects emitted state (BatchNorm's statistics). */
  apply(params: P, x: Tensor<In>, ctx?: ApplyContext): Tensor<Out>;
}

/** Evaluation mode, no key, side outputs dropped: the default context. */
export const evaluation: ApplyContext = Object.freeze({ training: false, key: undefined, path: [], emit: () => {} });

/** The context of a child layer: its path extended and its key folded with the child's name. */
export function within(ctx: ApplyContext | undefined, name: string | number): ApplyContext {
  const parent = ctx ?? evaluation;
  const part = String(name);
  return {
    training: parent.training,
    key: parent.key === undefined ? undefined : foldIn(parent.key, hashString(part) % 0x100000000),
    path: [...parent.path, part],
    emit: parent.emit,
  };
}

/** The dotted parameter path of the layer applied under ctx (with `name` appended): the name its emitted state is stored under. */
export function pathOf(ctx: ApplyContext | undefined, name?: string): string {
  const parts = [...(ctx?.path ?? []), ...(name === undefined ? [] : [name])];
  return parts.join('.');
}

/** The key a random layer needs in training mode, or a clear error naming the layer. */
export function requireKey(ctx: ApplyContext | undefined, what: string): Key {
  if (ctx?.key === undefined) throw new Error(`${what} at ${pathOf(ctx) || '(root)'} needs a key in training mode: pass { training: true, key } to runLayer`);
  return ctx.key;
}

/** Options of `runLayer`: training mode and a key. */
export interface RunOptions {
  readonly training?: boolean;
  readonly key?: Key;
}

/** A layer's output and the state it emitted (BatchNorm's running statistics). */
export interface RunResult<Out extends Shape> {
  readonly y: Tensor<Out>;
  /** Side outputs by full path: 'blocks.0.attn.attention', 'bn.running_mean', ... */
  readonly emitted: Readonly<Record<string, Tensor>>;
}

/** Apply a layer in a fresh context and collect what it emitted. */
export function runLayer<P, In extends Shape, Out extends Shape>(layer: Layer<P, In, Out>, params: P, x: Tensor<In>, options: RunOptions = {}): RunResult<Out> {
  const emitted: Record<string, Tensor> = {};
  const ctx: ApplyContext = {
    training: options.training ?? false,
    key: options.key,
    path: [],
    emit: (name, value) => {
      emitted[name] = value;
    },
  };
  const y = layer.apply(params, x, ctx);
  return { y, emitted };
}
