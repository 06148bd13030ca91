/**
 * Records: a layer made of named fields (as Equinox's modules, or stax's
 * `serial` with names). Its parameters are a record keyed by the field names,
 * so a block written as record({ norm1, attn, gamma1, ... }, forward) has the
 * official state_dict paths: norm1.weight, attn.qkv.weight, gamma1.
 *
 * A field is a layer, or a bare parameter (anything with `init`, see
 * `filled`). The forward function says how the fields compose: it receives
 * them applied, a layer as a function of its input (its parameters bound, and
 * its context `within(ctx, name)`), a parameter as its value.
 *
 * Initialisation: the k fields whose init draws from a key get split(key, k),
 * in field order (the order they are written, but JavaScript puts
 * integer-like names such as '0' first); keyless fields (norms, activations,
 * constant parameters: `keyless: true`) take none, so adding a norm leaves
 * the other fields' draws as they were. Every field gets the record's sizes.
 */
import type { Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { pathOf, within, type ApplyContext, type Layer } from './layer.js';

/** What a record needs of a field: a way to make its parameters. Every layer is one; a bare parameter is one without `apply`. */
export interface Field<P> {
  /** The field's parameters, drawn from `key` for the model's axis sizes. */
  init(key: Key, sizes: Sizes): P;
  /** True when init draws nothing from its key (norms, activations, constant parameters). */
  readonly keyless?: boolean;
}

/** A record's fields by name. */
export type Fields = { readonly [name: string]: Field<unknown> };

/** The parameters a field makes. */
export type FieldParams<T> = T extends Field<infer P> ? P : never;

/** A record's parameters: each field's, under its name. */
export type RecordParams<F extends Fields> = { readonly [K in keyof F]: FieldParams<F[K]> };

/** A field as the forward function sees it: a layer as a function of its input, a parameter as its value. */
export type AppliedField<T> = T extends Layer<infer _P, infer In, infer Out> ? (x: Tensor<In>) => Tensor<Out> : FieldParams<T>;

/** A record's fields applied. */
export type Applied<F extends Fields> = { readonly [K in keyof F]: AppliedField<F[K]> };

/** How a record's fields compose: the applied fields, the input, and the record's context (for drop-path keys and the like). */
export type Forward<F extends Fields, In extends Shape, Out extends Shape> = (fields: Applied<F>, x: Tensor<In>, ctx: ApplyContext | undefined) => Tensor<Out>;

/** A record as a layer, with its fields (to reach a child's options or methods). */
export interface RecordLayer<F extends Fields, In extends Shape, Out extends Shape> extends Layer<RecordParams<F>, In, Out> {
  readonly fields: F;
}

const isLayer = (field: Field<unknown>): field is Layer<unknown, Shape, Shape> => typeof (field as { apply?: unknown }).apply === 'function';

/** The key of each field in order: the k fields that draw from a key get split(key, k), keyless fields the given key (unused). */
export function fieldKeys(fields: readonly Field<unknown>[], key: Key): Key[] {
  const k = fields.filter((field) => !field.keyless).length;
  const keys = k === 0 ? [] : split(key, k);
  let next = 0;
  return fields.map((field) => (field.keyless ? key : keys[next++]!));
}

/** Each field's parameters under its name, each from its key in fieldKeys. */
export function initFields<F extends Fields>(fields: F, key: Key, sizes: Sizes): RecordParams<F> {
  const entries = Object.entries(fields);
  const keys = fieldKeys(entries.map(([, field]) => field), key);
  return Object.fromEntries(entries.map(([name, field], i) => [name, field.init(keys[i]!, sizes)])) as RecordParams<F>;
}

/** The fields applied with these parameters: layers bound to their parameters and to their context within ctx. */
export function applyFields<F extends Fields>(fields: F, params: RecordParams<F>, ctx?: ApplyContext): Applied<F> {
  const given = params as Readonly<Record<string, unknown>>;
  const bind = (name: string, field: Field<unknown>): unknown => {
    if (!Object.prototype.hasOwnProperty.call(given, name)) throw new ShapeError(`record at ${pathOf(ctx) || '(root)'}: the parameters have no field ${name} (they have ${Object.keys(given).join(', ') || 'none'})`);
    const p = given[name];
    return isLayer(field) ? (x: Tensor) => field.apply(p, x, within(ctx, name)) : p;
  };
  return Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, bind(name, field)])) as Applied<F>;
}

/** A layer of named fields composed by `forward`: record({ norm1: layerNorm('C'), attn }, (f, x) => add(x, f.attn(f.norm1(x)))). */
export function record<const F extends Fields, In extends Shape, Out extends Shape>(fields: F, forward: Forward<F, In, Out>): RecordLayer<F, In, Out> {
  return {
    fields,
    keyless: Object.values(fields).every((field) => field.keyless === true),
    init: (key, sizes) => initFields(fields, key, sizes),
    apply: (params, x, ctx) => forward(applyFields(fields, params, ctx), x, ctx),
  };
}

/** A layer generic in its shape (linear, layerNorm, mlp: any leading axes) seen at one input and output shape, so a forward's calls are typed: at<Tokens>()(layerNorm('C')). */
export const at =
  <In extends Shape, Out extends Shape = In>() =>
  <P>(layer: Layer<P, In, Out>): Layer<P, In, Out> =>
    layer;
