/**
 * Combinators: layers built from layers. Parameters of composite layers are
 * trees of the children's parameters: arrays for sequences (so paths read
 * '0.weight', '2.bias' as in nn.Sequential) and records with fixed names
 * otherwise.
 */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { add } from '../ops/elementwise.js';
import { addAll, concat } from '../ops/slicing.js';
import { gamma, scaleBy } from './layer-scale.js';

import { within, type ApplyContext, type Layer } from './layer.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyLayer = Layer<any, any, any>;

const keysFor = (key: Key, n: number): Key[] => (n === 0 ? [] : split(key, n));

/** Apply layers one after the other: serial(a, b, c)(x) = c(b(a(x))). Parameters: [pa, pb, pc]. */
export function serial<P1, A extends Shape, B extends Shape, P2, C extends Shape>(l1: Layer<P1, A, B>, l2: Layer<P2, B, C>): Layer<[P1, P2], A, C>;
export function serial<P1, A extends Shape, B extends Shape, P2, C extends Shape, P3, D extends Shape>(
  l1: Layer<P1, A, B>,
  l2: Layer<P2, B, C>,
  l3: Layer<P3, C, D>,
): Layer<[P1, P2, P3], A, D>;
export function serial<P1, A extends Shape, B extends Shape, P2, C extends Shape, P3, D extends Shape, P4, E extends Shape>(
  l1: Layer<P1, A, B>,
  l2: Layer<P2, B, C>,
  l3: Layer<P3, C, D>,
  l4: Layer<P4, D, E>,
): Layer<[P1, P2, P3, P4], A, E>;
export function serial<P1, A extends Shape, B extends Shape, P2, C extends Shape, P3, D extends Shape, P4, E extends Shape, P5, F extends Shape>(
  l1: Layer<P1, A, B>,
  l2: Layer<P2, B, C>,
  l3: Layer<P3, C, D>,
  l4: Layer<P4, D, E>,
  l5: Layer<P5, E, F>,
): Layer<[P1, P2, P3, P4, P5], A, F>;
export function serial(...layers: AnyLayer[]): AnyLayer {
  if (layers.length === 0) throw new ShapeError('serial: needs at least one layer');
  return {
    init: (key: Key, sizes: Sizes) => keysFor(key, layers.length).map((k, i) => layers[i]!.init(k, sizes)),
    apply: (params: unknown[], x: Tensor, ctx?: ApplyContext) => layers.reduce((h, layer, i) => layer.apply(params[i], h, within(ctx, i)), x),
  };
}

/** x + f(x). */
export function residual<P, S extends Shape>(f: Layer<P, S, S>): Layer<P, S, S> {
  return {
    init: (key, sizes) => f.init(key, sizes),
    apply: (params, x, ctx) => add(x, f.apply(params, x, ctx) as Tensor<S>),
  };
}

/** LayerScale around a branch: the per-channel factors and the branch's parameters. */
export interface LayerScaleParams<P, C extends Axis> {
  readonly gamma: Tensor<[C]>;
  readonly inner: P;
}

/** gamma ⊙ f(x) with gamma over one axis, initialised to eta (CaiT/XCiT/ResMLP layer scale). */
export function layerScale<P, S extends Shape, C extends S[number]>(f: Layer<P, S, S>, axis: C, eta: number): Layer<LayerScaleParams<P, C>, S, S> {
  return {
    init: (key, sizes) => ({ gamma: gamma(axis, eta).init(key, sizes), inner: f.init(key, sizes) }),
    apply: (params, x, ctx) => {
      return scaleBy(params.gamma, f.apply(params.inner, x, within(ctx, 'inner')));
    },
  };
}

/** A pre-norm residual branch's parameters: the norm's and the branch's. */
export interface PreNormParams<PN, P> {
  readonly norm: PN;
  readonly inner: P;
}

/** f(norm(x)). */
export function preNorm<PN, P, S extends Shape, T extends Shape>(norm: Layer<PN, S, S>, f: Layer<P, S, T>): Layer<PreNormParams<PN, P>, S, T> {
  return {
    init: (key, sizes) => {
      const [kn, kf] = split(key);
      return { norm: norm.init(kn!, sizes), inner: f.init(kf!, sizes) };
    },
    apply: (params, x, ctx) => f.apply(params.inner, norm.apply(params.norm, x, within(ctx, 'norm')), within(ctx, 'inner')),
  };
}

/** n layers made by make(i), applied in order; parameters are an array (paths '0', '1', ...). */
export function repeat<P, S extends Shape>(n: number, make: (i: number) => Layer<P, S, S>): Layer<P[], S, S> {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError(`repeat: count ${n} must be a non-negative integer`);
  const layers = Array.from({ length: n }, (_, i) => make(i));
  return {
    init: (key, sizes) => keysFor(key, n).map((k, i) => layers[i]!.init(k, sizes)),
    apply: (params, x, ctx) => layers.reduce((h, layer, i) => layer.apply(params[i]!, h, within(ctx, i)), x),
  };
}

/** How a residual or parallel combinator joins branches: by sum, or by concatenation along an axis. */
export type Merge = 'add' | { readonly concat: Axis };

/** Apply several layers to the same input and add their outputs (or concatenate them along an axis). */
export function parallel<P, S extends Shape, T extends Shape>(layers: readonly Layer<P, S, T>[], merge: Merge = 'add'): Layer<P[], S, T> {
  if (layers.length === 0) throw new ShapeError('parallel: needs at least one layer');
  return {
    init: (key, sizes) => keysFor(key, layers.length).map((k, i) => layers[i]!.init(k, sizes)),
    apply: (params, x, ctx) => {
      const outs = layers.map((layer, i) => layer.apply(params[i]!, x, within(ctx, i)));
      return merge === 'add' ? addAll(outs) : concat(outs as unknown as Tensor<string[]>[], merge.concat) as unknown as Tensor<T>;
    },
  };
}

/** A layer from a plain function without parameters (activations, reshapes). */
export function stateless<S extends Shape, T extends Shape>(f: (x: Tensor<S>, ctx?: ApplyContext) => Tensor<T>): Layer<Record<string, never>, S, T> {
  return { keyless: true, init: () => ({}), apply: (_, x, ctx) => f(x, ctx) };
}
