/**
 * Parameter trees between their two forms: symbolic constants (Tensor leaves,
 * what model.init returns and model.apply takes) and values (NDArray leaves,
 * what files hold).
 */
import { isTensor, type Tensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree, mapTree } from '../ir/tree.js';
import { fromArray } from '../ops/sources.js';
import { evaluate } from '../ops/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';

export function isNDArray(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && (x as NDArray).data instanceof Float64Array && Array.isArray((x as NDArray).axes) && Array.isArray((x as NDArray).sizes);
}

/** The same tree with every Tensor leaf evaluated (NDArray leaves are kept). */
export function treeValues(tree: unknown): unknown {
  const flat = flattenTree(tree, (x): x is Tensor | NDArray => isTensor(x) || isNDArray(x));
  const symbolic = flat.leaves.filter(isTensor);
  const values = symbolic.length === 0 ? [] : (evaluate(symbolic) as NDArray[]);
  let next = 0;
  return unflattenTree(flat.def, flat.leaves.map((leaf) => (isTensor(leaf) ? values[next++]! : leaf)));
}

/** The same tree with every NDArray leaf made a constant Tensor, ready for model.apply. */
export function treeConstants<T = unknown>(tree: unknown): T {
  return mapTree(tree, (x): x is Tensor | NDArray => isTensor(x) || isNDArray(x), (leaf) => (isTensor(leaf) ? leaf : fromArray(leaf.data, [...leaf.axes], leaf.sizes))) as T;
}

/** 'blocks[0].attn.weight' (flattenTree's path) -> 'blocks.0.attn.weight' (the state_dict name). */
export const stateDictName = (path: string): string => path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
