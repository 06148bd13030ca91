/**
 * The tracing context: while a function is traced, every node it creates is
 * recorded in creation order (like the equations of a jaxpr), so that DCE has
 * real work to do and the printer can show what the user wrote. Recording is
 * scoped to the call and leaves no state behind.
 */
import type { Tensor } from './tensor.js';

const recorders: Tensor[][] = [];

export function recordNode(node: Tensor): void {
  const top = recorders[recorders.length - 1];
  if (top) top.push(node);
}

/** Run fn, returning its result and every node created meanwhile. */
export function recording<R>(fn: () => R): { result: R; created: Tensor[] } {
  const created: Tensor[] = [];
  recorders.push(created);
  try {
    return { result: fn(), created };
  } finally {
    recorders.pop();
    const outer = recorders[recorders.length - 1];
    if (outer) outer.push(...created);
  }
}
