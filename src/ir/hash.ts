/**
 * Structural hashing: two nodes get the same key when they apply the same op
 * with the same attributes to structurally equal inputs. Keys are exact
 * strings (used by CSE); `hashGraph` folds them into a short digest.
 */
import type { Graph } from './graph.js';
import type { AttrValue, Tensor } from './tensor.js';

/** cyrb53: a fast 53-bit string hash, good enough for cache keys and digests. */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function attrKey(v: AttrValue): string {
  if (v instanceof Float64Array) return `f64:${v.length}:${hashString(Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(','))}`;
  if (Array.isArray(v)) return `[${v.map(attrKey).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}:${attrKey((v as Record<string, AttrValue>)[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The key of a node given the canonical ids of its inputs. */
export function nodeKey(node: Tensor, inputIds: readonly number[]): string {
  return `${node.op}|${attrKey(node.attrs)}|${node.axes.join(' ')}|${node.sizes.join(' ')}|${inputIds.join(',')}`;
}

/** Merkle hashes: each node's hash covers its op, attributes, shape and its inputs' hashes. */
export function structuralHashes(graph: Graph): Map<Tensor, number> {
  const hashes = new Map<Tensor, number>();
  for (const node of graph.nodes) {
    hashes.set(node, hashString(nodeKey(node, node.inputs.map((x) => hashes.get(x)!))));
  }
  return hashes;
}

/** A digest of a graph's structure: its inputs and what its outputs compute. */
export function hashGraph(graph: Graph): string {
  const hashes = structuralHashes(graph);
  const text = [...graph.inputs.map((x) => hashes.get(x)), '=>', ...graph.outputs.map((x) => hashes.get(x))].join(',');
  return hashString(text).toString(16).padStart(14, '0');
}
