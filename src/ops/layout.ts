/** Ops that move or replicate data without arithmetic: broadcast, reshape, transpose. */
import type { FlattenPair, NextAxis, OnlyAxesOf, RenameAxes, ReplaceAxis, RequirePermutation, RequireSuperset, Shape, Sizes } from '../shape/types.js';
import { ShapeError, describeShape } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { forEachOffset, numelOf, stridesAlong, stridesOf } from '../runtime/ndarray.js';
import { apply, defineOp, type OutShape } from './define.js';
import { axisIndex, labelOf, requireSizes } from './check.js';
import { resolveSizes } from './sources.js';
import { sumAxes } from './reduce.js';

export interface ShapeAttrs {
  readonly [key: string]: readonly string[] | readonly number[];
  readonly axes: readonly string[];
  readonly sizes: readonly number[];
}

/** Gather x into the layout `out` (its axes, in any order, possibly with new axes). */
function relayout(x: { axes: readonly string[]; sizes: readonly number[]; data: Float64Array }, out: OutShape): Float64Array {
  const result = new Float64Array(numelOf(out.sizes));
  const from = stridesAlong(x.axes, x.sizes, out.axes);
  forEachOffset(out.sizes, [stridesOf(out.sizes), from], ([o, i]) => {
    result[o!] = x.data[i!]!;
  });
  return result;
}

export const broadcastOp = defineOp<ShapeAttrs>({
  name: 'broadcast',
  shape: ([x], attrs) => {
    requireSizes('broadcast', attrs.axes, attrs.sizes);
    x!.axes.forEach((a, i) => {
      const j = attrs.axes.indexOf(a);
      if (j < 0) throw new ShapeError(`broadcast: target axes [${attrs.axes.join(', ')}] lack axis ${a} of ${labelOf(x!)}`, { op: 'broadcast', axis: a });
      if (attrs.sizes[j] !== x!.sizes[i]) {
        throw new ShapeError(`broadcast: axis ${a} has size ${x!.sizes[i]} in ${labelOf(x!)} but ${attrs.sizes[j]} in the target`, {
          op: 'broadcast',
          axis: a,
          sizes: [x!.sizes[i]!, attrs.sizes[j]!],
        });
      }
    });
    return { axes: attrs.axes, sizes: attrs.sizes };
  },
  evaluate: ([x], _, out) => relayout(x!, out),
  vjp: (node, g) => {
    const x = node.inputs[0]!;
    const added = node.axes.filter((a) => !x.axes.includes(a));
    const reduced = sumAxes(g, added);
    return [transposeTo(reduced, x.axes)];
  },
  describe: (a) => describeShape(a.axes, a.sizes),
});

/** Untyped broadcast for rules that work on any shape (gradients, composites). */
export function broadcastTo(x: Tensor, axes: readonly string[], sizes: readonly number[]): Tensor {
  if (axes.length === x.rank && axes.every((a, i) => a === x.axes[i])) return x;
  return apply<Shape, ShapeAttrs>(broadcastOp, [x], { axes, sizes });
}

/** Untyped transpose for rules that work on any shape. */
export function transposeTo(x: Tensor, axes: readonly string[]): Tensor {
  if (axes.length === x.rank && axes.every((a, i) => a === x.axes[i])) return x;
  return apply<Shape, ShapeAttrs>(transposeOp, [x], { axes, sizes: [] });
}

/** Replicate x along new axes; its own axes may also be reordered. */
export function broadcast<S extends Shape, const T extends string[]>(
  x: Tensor<S>,
  axes: T & RequireSuperset<S, T>,
  sizes: Sizes | readonly number[],
): Tensor<T> {
  return broadcastTo(x, axes, resolveSizes('broadcast', axes, sizes)) as Tensor<T>;
}

/** Broadcast x to the axes and sizes of `like` (x's axes must be among them). */
export function broadcastLike<S extends Shape, T extends Shape>(
  x: Tensor<S>,
  like: Tensor<T> & RequireSuperset<S, T>,
): Tensor<T> {
  const target: Tensor<T> = like;
  return broadcastTo(x, target.axes, target.sizes) as Tensor<T>;
}

export const reshapeOp = defineOp<ShapeAttrs>({
  name: 'reshape',
  shape: ([x], attrs) => {
    requireSizes('reshape', attrs.axes, attrs.sizes);
    const n = numelOf(attrs.sizes);
    if (n !== x!.numel) {
      throw new ShapeError(`reshape: ${labelOf(x!)} has ${x!.numel} elements but ${describeShape(attrs.axes, attrs.sizes)} has ${n}`, { op: 'reshape' });
    }
    return { axes: attrs.axes, sizes: attrs.sizes };
  },
  evaluate: ([x]) => x!.data,
  vjp: (node, g) => {
    const x = node.inputs[0]!;
    return [reshape(g, [...x.axes], x.sizes)];
  },
  describe: (a) => describeShape(a.axes, a.sizes),
});

/** Reinterpret row-major data under new axes and sizes (same element count). */
export function reshape<const T extends string[]>(x: Tensor, axes: T, sizes: Sizes | readonly number[]): Tensor<T> {
  return apply<T, ShapeAttrs>(reshapeOp, [x], { axes, sizes: resolveSizes('reshape', axes, sizes) });
}

/** Merge two adjacent axes A, B into the derived axis 'A*B'. */
export function flatten<S extends Shape, A extends S[number], B extends NextAxis<S, A>>(x: Tensor<S>, a: A, b: B): Tensor<FlattenPair<S, A, B>> {
  const i = axisIndex('flatten', x, a);
  if (x.axes[i + 1] !== b) throw new ShapeError(`flatten: axes ${a} and ${b} must be adjacent, in that order, in [${x.axes.join(', ')}]`, { op: 'flatten', axis: b });
  const axes = [...x.axes.slice(0, i), `${a}*${b}`, ...x.axes.slice(i + 2)];
  const sizes = [...x.sizes.slice(0, i), x.sizes[i]! * x.sizes[i + 1]!, ...x.sizes.slice(i + 2)];
  return reshape(x, axes, sizes) as unknown as Tensor<FlattenPair<S, A, B>>;
}

/** Split one axis into several named axes; their sizes must multiply to its size. */
export function unflatten<S extends Shape, A extends S[number], const R extends string[]>(x: Tensor<S>, axis: A, into: R, sizes: Sizes | readonly number[]): Tensor<ReplaceAxis<S, A, R>> {
  const i = axisIndex('unflatten', x, axis);
  const parts = resolveSizes('unflatten', into, sizes);
  if (numelOf(parts) !== x.sizes[i]) {
    throw new ShapeError(`unflatten: axis ${axis} has size ${x.sizes[i]} but ${describeShape(into, parts)} has ${numelOf(parts)} elements`, { op: 'unflatten', axis });
  }
  const axes = [...x.axes.slice(0, i), ...into, ...x.axes.slice(i + 1)];
  return reshape(x, axes, [...x.sizes.slice(0, i), ...parts, ...x.sizes.slice(i + 1)]) as unknown as Tensor<ReplaceAxis<S, A, R>>;
}

/** Give axes new names (data unchanged). */
export function rename<S extends Shape, const M extends Partial<Record<S[number], string>>>(x: Tensor<S>, mapping: M & OnlyAxesOf<S, M>): Tensor<RenameAxes<S, M>> {
  const table = mapping as Record<string, string | undefined>;
  Object.keys(table).forEach((a) => axisIndex('rename', x, a));
  const axes = x.axes.map((a) => table[a] ?? a);
  return reshape(x, axes, x.sizes) as unknown as Tensor<RenameAxes<S, M>>;
}

export const transposeOp = defineOp<ShapeAttrs>({
  name: 'transpose',
  shape: ([x], attrs) => {
    const same = attrs.axes.length === x!.rank && x!.axes.every((a) => attrs.axes.includes(a));
    if (!same) throw new ShapeError(`transpose: [${attrs.axes.join(', ')}] is not a permutation of the axes [${x!.axes.join(', ')}] of ${labelOf(x!)}`, { op: 'transpose' });
    return { axes: attrs.axes, sizes: attrs.axes.map((a) => x!.sizes[x!.axes.indexOf(a)]!) };
  },
  evaluate: ([x], _, out) => relayout(x!, out),
  vjp: (node, g) => [transposeTo(g, node.inputs[0]!.axes)],
  describe: (a) => `[${a.axes.join(' ')}]`,
});

/** Reorder axes by name: transpose(x, ['C', 'B']). */
export function transpose<S extends Shape, const T extends string[]>(x: Tensor<S>, axes: T & RequirePermutation<S, T>): Tensor<T> {
  return transposeTo(x, axes) as Tensor<T>;
}
