/**
 * Fusion: decide which graph nodes get a buffer of their own (a kernel
 * output) and which are inlined into the kernels that read them.
 *
 * - Formal inputs, constants and random tensors are buffers from the host.
 * - Fills and iotas are always inlined (they are index arithmetic).
 * - Pure index remaps (broadcast, reshape, transpose, slice, identity,
 *   stopGradient) are always inlined: they cost nothing where they are read.
 * - Any other node (arithmetic, reductions, contractions, ...) is inlined
 *   when exactly one kernel reads it and reads each of its elements once;
 *   otherwise it is materialised. So elementwise chains fuse into their
 *   consumer, reductions take their elementwise prologue, and a contraction
 *   whose only reader is an elementwise op of its shape becomes that op's
 *   prologue (epilogue fusion: bias + GELU after a matmul), without ever
 *   recomputing a value more than once.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { opRule, opsOfClass } from './op-rules.js';

/** Ops whose nodes are buffers from the host. */
export const hostBufferOps: ReadonlySet<string> = opsOfClass('host');
/** Ops that are index arithmetic (always inlined). */
export const generatedOps: ReadonlySet<string> = opsOfClass('generated');
/** Ops that only move or rename elements (always inlined). */
export const indexRemapOps: ReadonlySet<string> = new Set([...opsOfClass('remap'), ...opsOfClass('alias')]);

/** How many times each element of input k is read while computing all of node's elements. */
export function readMultiplicity(node: Tensor, k: number): number {
  return opRule(node.op).readMultiplicity?.(node, k) ?? 1;
}

/** Whether a node reads its inputs at its own index. */
const readsAtOwnIndex = (node: Tensor): boolean => {
  const fusion = opRule(node.op).fusion;
  return fusion === 'elementwise' || fusion === 'alias';
};

/** Whether computing the node runs a loop (a sum, max, scatter or contraction). */
export function isReduction(node: Tensor): boolean {
  const fusion = opRule(node.op).fusion;
  if (fusion === 'reduction') return true;
  return fusion === 'contraction' && node.inputs.some((x) => x.axes.some((a) => !node.axes.includes(a)));
}

/** Which nodes are kernel roots and which are inlined into their readers. */
export interface FusionPlan {
  /** Nodes with a buffer: host buffers and kernel outputs. */
  readonly materialized: ReadonlySet<Tensor>;
  /** Kernel roots in a valid execution order. */
  readonly kernels: readonly Tensor[];
}

/** How an inlined node is read: by which kernels, how often per element, and whether always at the kernel's own index. */
interface Reads {
  readonly roots: ReadonlySet<Tensor>;
  readonly mult: number;
  readonly aligned: boolean;
}

/** Which nodes of a graph become kernels and which are inlined into their readers (elementwise chains and index remaps fuse; reductions and contractions end a kernel). */
export function planFusion(graph: Graph): FusionPlan {
  const live = new Set(graph.nodes);
  const consumers = new Map<Tensor, Tensor[]>();
  for (const node of graph.nodes) {
    for (const x of new Set(node.inputs)) {
      if (!consumers.has(x)) consumers.set(x, []);
      consumers.get(x)!.push(node);
    }
  }
  const outputs = new Set(graph.outputs);
  const materialized = new Set<Tensor>();
  const reads = new Map<Tensor, Reads>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (hostBufferOps.has(node.op) || outputs.has(node)) {
      materialized.add(node);
      continue;
    }
    const roots = new Set<Tensor>();
    let sum = 0;
    let max = 0;
    let aligned = true;
    for (const c of (consumers.get(node) ?? []).filter((x) => live.has(x))) {
      const edge = Math.max(...c.inputs.map((x, k) => (x === node ? readMultiplicity(c, k) : 0)));
      const sameIndex = readsAtOwnIndex(c);
      const via = materialized.has(c) ? { roots: new Set([c]), mult: 1, aligned: true } : reads.get(c)!;
      via.roots.forEach((r) => roots.add(r));
      sum += via.mult * edge;
      max = Math.max(max, via.mult * edge);
      aligned &&= via.aligned && sameIndex;
    }
    // Several readers at the kernel's own index share one let-bound value.
    const mult = aligned ? max : sum;
    // A reduction is inlined only where it is read at the kernel's own index (an epilogue),
    // never into another reduction's loop: nested loops would multiply a cell's iterations.
    const nestedReduction = isReduction(node) && !aligned;
    const inline = generatedOps.has(node.op) || indexRemapOps.has(node.op) || (roots.size <= 1 && mult <= 1 && !nestedReduction);
    if (inline) reads.set(node, { roots, mult, aligned });
    else materialized.add(node);
  }
  const kernels = graph.nodes.filter((n) => materialized.has(n) && !hostBufferOps.has(n.op));
  return { materialized, kernels };
}
