/**
 * Reading and replacing leaves of parameter trees by dotted path, as PyTorch
 * names them: 'blocks.0.attn.qkv.weight' walks records by key and arrays by
 * index. Used to load state dicts and to fold new BatchNorm statistics back.
 */
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import { flattenTree } from '../ir/tree.js';

function step(node: unknown, part: string, path: string): unknown {
  if (Array.isArray(node)) {
    const i = Number(part);
    if (!Number.isInteger(i) || i < 0 || i >= node.length) throw new RangeError(`parameter path ${path}: no element ${part}`);
    return node[i];
  }
  if (node !== null && typeof node === 'object' && !isTensor(node) && part in node) return (node as Record<string, unknown>)[part];
  throw new RangeError(`parameter path ${path}: no field ${part}`);
}

/** The subtree of a parameter tree at a dotted path ('blocks.0.attn'); throws naming the missing field. */
export function getPath(tree: unknown, path: string): unknown {
  return path.split('.').reduce((node, part) => step(node, part, path), tree);
}

/** Whether a parameter tree has a subtree at the dotted path. */
export function hasPath(tree: unknown, path: string): boolean {
  try {
    getPath(tree, path);
    return true;
  } catch {
    return false;
  }
}

/** A copy of the tree with the leaf at path replaced (the old tree is unchanged). */
export function setPath<T>(tree: T, path: string, value: unknown): T {
  const parts = path.split('.');
  const rec = (node: unknown, i: number): unknown => {
    if (i === parts.length) return value;
    const part = parts[i]!;
    const child = rec(step(node, part, path), i + 1);
    if (Array.isArray(node)) return node.map((x, k) => (k === Number(part) ? child : x));
    return { ...(node as Record<string, unknown>), [part]: child };
  };
  return rec(tree, 0) as T;
}

/** Fold emitted values whose paths name existing leaves (e.g. new running statistics) into the tree. */
export function withUpdates<T>(tree: T, emitted: Readonly<Record<string, Tensor>>): T {
  return Object.entries(emitted).reduce<T>((t, [path, value]) => (hasPath(t, path) ? setPath(t, path, value) : t), tree);
}

/** Dotted paths of every tensor leaf: 'blocks.0.attn.qkv.weight'. */
export function parameterPaths(tree: unknown): string[] {
  return flattenTree(tree, isTensor).paths.map((p) => p.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, ''));
}
