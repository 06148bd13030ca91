/**
 * Parameter trees: nested records and arrays whose leaves are tensors (or, at
 * run time, arrays of numbers). Flattening gives the leaves in a fixed order
 * with a path for each (used in messages); unflattening rebuilds the tree.
 */

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'array'; readonly items: readonly TreeDef[] }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly items: readonly TreeDef[] };

export interface Flat<L> {
  readonly leaves: L[];
  readonly paths: string[];
  readonly def: TreeDef;
}

function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Flatten a tree whose leaves satisfy isLeaf; any other non-container is an error naming its path. */
export function flattenTree<L>(tree: unknown, isLeaf: (x: unknown) => x is L, root = ''): Flat<L> {
  const leaves: L[] = [];
  const paths: string[] = [];
  const walk = (node: unknown, path: string): TreeDef => {
    if (isLeaf(node)) {
      leaves.push(node);
      paths.push(path === '' ? '(root)' : path);
      return { kind: 'leaf' };
    }
    if (Array.isArray(node)) return { kind: 'array', items: node.map((item, i) => walk(item, joinPath(path, i))) };
    if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      const keys = Object.keys(node).sort();
      return { kind: 'record', keys, items: keys.map((k) => walk((node as Record<string, unknown>)[k], joinPath(path, k))) };
    }
    throw new TypeError(`tree leaf at ${path === '' ? '(root)' : path} is not a tensor (got ${describe(node)})`);
  };
  const def = walk(tree, root);
  return { leaves, paths, def };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

/** Rebuild a tree of the given structure from leaves in flatten order. */
export function unflattenTree<T>(def: TreeDef, leaves: readonly unknown[]): T {
  let next = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        if (next >= leaves.length) throw new RangeError('unflattenTree: too few leaves');
        return leaves[next++];
      case 'array':
        return d.items.map(build);
      case 'record': {
        const out: Record<string, unknown> = {};
        d.keys.forEach((k, i) => (out[k] = build(d.items[i]!)));
        return out;
      }
    }
  };
  const tree = build(def);
  if (next !== leaves.length) throw new RangeError(`unflattenTree: ${leaves.length - next} leaves left over`);
  return tree as T;
}

/** Map every leaf of a tree, keeping its structure. */
export function mapTree<L, R>(tree: unknown, isLeaf: (x: unknown) => x is L, f: (leaf: L, path: string) => R): unknown {
  const flat = flattenTree(tree, isLeaf);
  return unflattenTree(flat.def, flat.leaves.map((leaf, i) => f(leaf, flat.paths[i]!)));
}
