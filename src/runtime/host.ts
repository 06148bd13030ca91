/**
 * What the JavaScript host offers, found without importing anything from Node:
 * the main entry must bundle for a browser (no `node:` import, no top-level
 * await), yet use worker_threads and os when it runs in Node. Node's
 * process.getBuiltinModule (20.16+) loads a built-in synchronously at run time.
 */

type NodeProcess = { readonly versions?: { readonly node?: string }; getBuiltinModule?: (id: string) => unknown };

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** Whether this is Node (not a browser, a Worker or Deno's browser-like globals). */
export const isNode = typeof nodeProcess?.versions?.node === 'string';

/**
 * A Node built-in module (e.g. 'node:worker_threads'), or undefined outside
 * Node. A Node too old to offer getBuiltinModule is an error naming the need.
 */
export function nodeBuiltin<T>(id: `node:${string}`): T | undefined {
  if (!isNode) return undefined;
  if (typeof nodeProcess?.getBuiltinModule !== 'function') {
    throw new Error(`shapegrad needs Node 20.16 or newer (process.getBuiltinModule, to load ${id}); this is Node ${nodeProcess?.versions?.node}`);
  }
  return nodeProcess.getBuiltinModule(id) as T;
}
