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

export const hostBufferOps: ReadonlySet<string> = new Set(['input', 'constant', 'random']);
export const generatedOps: ReadonlySet<string> = new Set(['fill', 'iota']);
export const indexRemapOps: ReadonlySet<string> = new Set(['broadcast', 'reshape', 'transpose', 'slice', 'identity', 'stopGradient']);

const numel = (t: Tensor): number => t.sizes.reduce((a, b) => a * b, 1);

/** How many times each element of input k is read while computing all of node's elements. */
export function readMultiplicity(node: Tensor, k: number): number {
  const input = node.inputs[k]!;
  switch (node.op) {
    case 'broadcast':
      return numel(node) / Math.max(1, numel(input));
    case 'einsum': {
      const labels = new Set(node.inputs.flatMap((x) => x.axes));
      let m = 1;
      for (const l of labels) {
        if (!input.axes.includes(l)) {
          const owner = node.inputs.find((x) => x.axes.includes(l))!;
          m *= owner.sizes[owner.axes.indexOf(l)]!;
        }
      }
      return m;
    }
    case 'gather':
      return k === 0 ? Math.max(1, numel(node) / Math.max(1, numel(input))) : Math.max(1, numel(node) / Math.max(1, numel(input)));
    case 'scatterAdd':
    case 'oneHot':
      return Math.max(1, Number(node.attrs['size']));
    default:
      return 1;
  }
}

/** Which nodes are kernel roots and which are inlined into their readers. */
export interface FusionPlan {
  /** Nodes with a buffer: host buffers and kernel outputs. */
  readonly materialized: ReadonlySet<Tensor>;
  /** Kernel roots in a valid execution order. */
  readonly kernels: readonly Tensor[];
}

const elementwiseOps: ReadonlySet<string> = new Set([
  'neg', 'exp', 'log', 'sqrt', 'reciprocal', 'abs', 'sign', 'floor', 'sin', 'cos', 'tanh', 'erf',
  'add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'less', 'greater', 'equal', 'select', 'identity', 'stopGradient',
]);

/** Whether computing the node runs a loop (a sum, max, scatter or contraction). */
export function isReduction(node: Tensor): boolean {
  if (node.op === 'sum' || node.op === 'max' || node.op === 'scatterAdd') return true;
  return node.op === 'einsum' && node.inputs.some((x) => x.axes.some((a) => !node.axes.includes(a)));
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
      const sameIndex = elementwiseOps.has(c.op);
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
