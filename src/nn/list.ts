/**
 * Numbered layers, for the fields whose names are computed: `list(n, make)`
 * is PyTorch's nn.Sequential / nn.ModuleList, its parameters an array, so
 * under a record field `blocks` the paths are blocks.0.*, …, blocks.<n-1>.*;
 * `named(n, name, make)` is the same with the names given by a function
 * (RegNet's block1-0, block1-1, …), its parameters a record.
 *
 * Applied, the layers run in index order, layer i within(ctx, its name).
 * Initialisation follows the record rule (fieldKeys): the k layers that draw
 * from a key get split(key, k) in index order, keyless layers none; a list
 * of keyless layers (or none) is keyless itself.
 */
import type { Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { pathOf, within, type ApplyContext, type Layer } from './layer.js';
import { fieldKeys, type Field } from './record.js';

/** Layers in index order as a layer: its items, and each item's output (the last is apply's). */
export interface Numbered<Params, P, S extends Shape> extends Layer<Params, S, S> {
  readonly items: readonly Layer<P, S, S>[];
  /** The output of every item in order: what get_intermediate_layers takes from. */
  outputs(params: Params, x: Tensor<S>, ctx?: ApplyContext): Tensor<S>[];
}

/** nn.Sequential: parameters [p_0, …, p_{n-1}], named 0 … n-1. */
export type ListLayer<P, S extends Shape> = Numbered<readonly P[], P, S>;

/** Parameters by computed name. */
export type NamedParams<P> = { readonly [name: string]: P };

/** nn.Sequential with named children: parameters { [name(i)]: p_i }. */
export type NamedLayer<P, S extends Shape> = Numbered<NamedParams<P>, P, S>;

/** The n layers make(0) … make(n-1). */
function itemsOf<P, S extends Shape>(what: string, n: number, make: (i: number) => Layer<P, S, S>): Layer<P, S, S>[] {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError(`${what}: the number of layers must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => make(i));
}

/** Each item's parameters, from its key in fieldKeys. */
export function initItems<P>(items: readonly Field<P>[], key: Key, sizes: Sizes): P[] {
  const keys = fieldKeys(items, key);
  return items.map((item, i) => item.init(keys[i]!, sizes));
}

/** Every item's output, item i applied to the one before with parameters at(i) and context within(ctx, nameOf(i)). */
function chain<P, S extends Shape>(items: readonly Layer<P, S, S>[], at: (i: number) => P, nameOf: (i: number) => string | number, x: Tensor<S>, ctx: ApplyContext | undefined): Tensor<S>[] {
  const outs: Tensor<S>[] = [];
  items.reduce((h, item, i) => {
    const y = item.apply(at(i), h, within(ctx, nameOf(i)));
    outs.push(y);
    return y;
  }, x);
  return outs;
}

/** The last output, or the input when there are no items. */
const lastOr = <S extends Shape>(outs: Tensor<S>[], x: Tensor<S>): Tensor<S> => outs[outs.length - 1] ?? x;

/** list(n, i => layer): layers 0 … n-1 in sequence, parameters an array. */
export function list<P, S extends Shape>(n: number, make: (i: number) => Layer<P, S, S>): ListLayer<P, S> {
  const items = itemsOf('list', n, make);
  const outputs = (params: readonly P[], x: Tensor<S>, ctx?: ApplyContext): Tensor<S>[] => {
    if (params.length !== n) throw new ShapeError(`list at ${pathOf(ctx) || '(root)'}: the parameters hold ${params.length} layers, the list ${n}`);
    return chain(items, (i) => params[i]!, (i) => i, x, ctx);
  };
  return {
    items,
    keyless: items.every((item) => item.keyless === true),
    init: (key, sizes) => initItems(items, key, sizes),
    outputs,
    apply: (params, x, ctx) => lastOr(outputs(params, x, ctx), x),
  };
}

/** named(n, i => 'block1-' + i, i => layer): layers in sequence, parameters under computed names. */
export function named<P, S extends Shape>(n: number, name: (i: number) => string, make: (i: number) => Layer<P, S, S>): NamedLayer<P, S> {
  const items = itemsOf('named', n, make);
  const names = items.map((_, i) => name(i));
  if (new Set(names).size !== n) throw new ShapeError(`named: the names must be distinct, got ${names.join(', ')}`);
  const outputs = (params: NamedParams<P>, x: Tensor<S>, ctx?: ApplyContext): Tensor<S>[] => {
    const at = (i: number): P => {
      const p = params[names[i]!];
      if (p === undefined) throw new ShapeError(`named at ${pathOf(ctx) || '(root)'}: the parameters have no ${names[i]} (they have ${Object.keys(params).join(', ') || 'none'})`);
      return p;
    };
    return chain(items, at, (i) => names[i]!, x, ctx);
  };
  return {
    items,
    keyless: items.every((item) => item.keyless === true),
    init: (key, sizes) => {
      const ps = initItems(items, key, sizes);
      return Object.fromEntries(names.map((nm, i) => [nm, ps[i]!]));
    },
    outputs,
    apply: (params, x, ctx) => lastOr(outputs(params, x, ctx), x),
  };
}
