/** Trees of concrete arrays (trained parameters) as specs or constant tensors, and a dataset's first images. */
import { isTensor } from '../ir/tensor.js';
import { mapTree } from '../ir/tree.js';
import { spec } from '../ir/trace.js';
import { fromArray } from '../ops/sources.js';
import type { NDArray } from '../runtime/ndarray.js';
import { subset, type Dataset } from '../data/dataset.js';

/** A concrete array (what `evaluate` and compiled programs return): { axes, sizes, data: Float64Array }. */
export function isNd(t: unknown): t is NDArray {
  return typeof t === 'object' && t !== null && (t as NDArray).data instanceof Float64Array && !isTensor(t);
}

/** Specs shaped like a tree of concrete arrays (parameters, optimiser state), for `trace`. */
export function specsOf<T>(tree: T): never {
  return mapTree(tree, isNd, (t) => spec([...t.axes], t.sizes)) as never;
}

/** Constant tensors from a tree of concrete arrays (to apply a layer to trained parameters outside a program). */
export function asTensors<T>(tree: T): never {
  return mapTree(tree, isNd, (t) => fromArray(t.data, [...t.axes], t.sizes)) as never;
}

/** The first n images of a dataset (MNIST's splits are not sorted by class). */
export function first(ds: Dataset, n: number): Dataset {
  return n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i));
}
