/**
 * A tree of values (parameters, optimiser state) as tensors named by dotted
 * path, and back: what a checkpoint, a safetensors file or a trainer's
 * `restore` stores. Browser-clean (the checkpoint file itself is Node-only).
 */
import type { NDArray } from '../runtime/ndarray.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { escapeControls, oneLine } from './one-line.js';

/** A corrupted, unreadable or mismatched checkpoint; the message is one line. */
export class CheckpointError extends Error {
  constructor(message: string, readonly file: string, readonly field?: string) {
    super(escapeControls(message));
    this.name = 'CheckpointError';
  }
}

// ---------------------------------------------------------------- tensors <-> trees

export function isNDArray(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && (x as NDArray).data instanceof Float64Array && Array.isArray((x as NDArray).axes) && Array.isArray((x as NDArray).sizes);
}

/** Anything with axes and sizes: an NDArray, or a symbolic Tensor used as a template. */
function isShaped(x: unknown): x is { readonly axes: readonly string[]; readonly sizes: readonly number[] } {
  return typeof x === 'object' && x !== null && Array.isArray((x as NDArray).axes) && Array.isArray((x as NDArray).sizes);
}

const dotted = (p: string) => p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
export const show = (axes: readonly string[], sizes: readonly number[]) => `[${axes.map((a, i) => `${a}=${sizes[i]}`).join(', ')}]`;

function flatten(tree: unknown, what: string): { paths: string[]; leaves: Array<{ readonly axes: readonly string[]; readonly sizes: readonly number[] }>; def: ReturnType<typeof flattenTree>['def'] } {
  let flat;
  try {
    flat = flattenTree(tree, isShaped);
  } catch (e) {
    throw new CheckpointError(`${what}: ${oneLine(e)}`, what);
  }
  const paths = flat.paths.map(dotted);
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw new CheckpointError(`${what}: two tensors flatten to the same name ${p} (a key contains '.'?)`, what, p);
    seen.add(p);
  }
  return { paths, leaves: flat.leaves, def: flat.def };
}

/**
 * Flatten a tree of NDArrays (nested records and arrays) into tensors named by
 * dotted path: { params: { w: x }, opt: { m: [y] } } gives 'params.w' and 'opt.m.0'.
 */
export function flattenToTensors(tree: unknown): Record<string, NDArray> {
  const { paths, leaves } = flatten(tree, 'flattenToTensors');
  const out: Record<string, NDArray> = {};
  leaves.forEach((leaf, i) => {
    if (!isNDArray(leaf)) throw new CheckpointError(`flattenToTensors: ${paths[i]} is a symbolic tensor, not a value; read it back from the backend first`, 'flattenToTensors', paths[i]);
    out[paths[i]!] = leaf;
  });
  return out;
}

/**
 * Rebuild a tree shaped like `like` (leaves: NDArrays or symbolic Tensors,
 * used only for their axes and sizes) from tensors named by dotted path. The
 * result has NDArray leaves. A missing tensor, one with other axes or sizes,
 * or a tensor `like` has no place for is a {@link CheckpointError} naming it.
 */
export function unflattenFromTensors<T>(like: T, tensors: Readonly<Record<string, NDArray>>, what = 'checkpoint'): T {
  const { paths, leaves, def } = flatten(like, what);
  const missing = paths.filter((p) => !Object.prototype.hasOwnProperty.call(tensors, p));
  if (missing.length > 0) throw new CheckpointError(`${what}: missing tensor${missing.length > 1 ? 's' : ''} ${list(missing)}`, what, missing[0]);
  const wanted = new Set(paths);
  const extra = Object.keys(tensors).filter((p) => !wanted.has(p));
  if (extra.length > 0) throw new CheckpointError(`${what}: tensor${extra.length > 1 ? 's' : ''} ${list(extra)} ${extra.length > 1 ? 'have' : 'has'} no place in this model (another model or config?)`, what, extra[0]);
  const values = leaves.map((leaf, i) => {
    const path = paths[i]!;
    const x = tensors[path]!;
    const same = x.axes.length === leaf.axes.length && x.axes.every((a, k) => a === leaf.axes[k] && x.sizes[k] === leaf.sizes[k]);
    if (!same) throw new CheckpointError(`${what}: tensor ${path} has shape ${show(x.axes, x.sizes)}, the model expects ${show(leaf.axes, leaf.sizes)}`, what, path);
    return x;
  });
  return unflattenTree<T>(def, values);
}

function list(names: readonly string[], max = 3): string {
  return names.slice(0, max).join(', ') + (names.length > max ? ` (and ${names.length - max} more)` : '');
}

