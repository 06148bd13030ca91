/**
 * Limits on what one fused kernel may hold, imposed on a fusion plan after the
 * fact by materialising some of a kernel's inlined nodes (each then becomes a
 * kernel of its own, and the kernel reads its buffer instead):
 *
 * - maxReads: the distinct buffers a kernel reads. WebGPU binds each as a
 *   storage buffer, and a device gets 8 per shader stage unless it asks for
 *   more (gpu.js does not), one of them the kernel's output.
 * - maxLoops: the reduction loops fused into one kernel. Mesa's llvmpipe
 *   (headless-gl here) compiles a shader in time exponential in its
 *   consecutive loops: 20 took hours, 8 take a second.
 *
 * Splitting changes where values are stored, never what is computed: every
 * value is still computed once, in float32, by the same expression.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { generatedOps, hostBufferOps, indexRemapOps, isReduction, type FusionPlan } from './fuse.js';

export interface KernelLimits {
  readonly maxReads?: number;
  readonly maxLoops?: number;
}

interface Footprint {
  readonly reads: ReadonlySet<Tensor>;
  readonly loops: number;
}

/** What computing `node` inline costs a kernel: the buffers it reads and the loops it runs. */
function footprints(root: Tensor, materialized: ReadonlySet<Tensor>): Map<Tensor, Footprint> {
  const memo = new Map<Tensor, Footprint>();
  const visit = (node: Tensor): Footprint => {
    const known = memo.get(node);
    if (known) return known;
    const reads = new Set<Tensor>();
    const inlined = new Set<Tensor>();
    const walk = (n: Tensor): void => {
      for (const x of n.inputs) {
        if (materialized.has(x)) reads.add(x);
        else if (!inlined.has(x)) {
          inlined.add(x);
          walk(x);
        }
      }
    };
    walk(node);
    const loops = [node, ...inlined].filter(isReduction).length;
    const f = { reads, loops };
    memo.set(node, f);
    for (const x of inlined) visit(x);
    return f;
  };
  visit(root);
  return memo;
}

const over = (f: Footprint, limits: KernelLimits): boolean =>
  f.reads.size > (limits.maxReads ?? Infinity) || f.loops > (limits.maxLoops ?? Infinity);

/**
 * The inlined node to give a buffer of its own: one that fits the limits itself and takes the
 * most off the kernel (buffers where the kernel reads too many, loops where it runs too many),
 * a computed node before an index remap (materialising a broadcast stores its copies).
 */
function pickSplit(root: Tensor, prints: Map<Tensor, Footprint>, limits: KernelLimits): Tensor | undefined {
  const rootPrint = prints.get(root)!;
  const tooManyReads = rootPrint.reads.size > (limits.maxReads ?? Infinity);
  let best: Tensor | undefined;
  let bestScore = -Infinity;
  for (const [node, f] of prints) {
    if (node === root || generatedOps.has(node.op) || over(f, limits)) continue;
    const gain = tooManyReads ? f.reads.size - 1 : f.loops;
    if (gain <= 0) continue;
    const score = gain * 2 + (indexRemapOps.has(node.op) ? 0 : 1);
    if (score > bestScore) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** The plan with nodes materialised until every kernel keeps within the limits. */
export function limitKernels(graph: Graph, plan: FusionPlan, limits: KernelLimits): FusionPlan {
  if (limits.maxReads === undefined && limits.maxLoops === undefined) return plan;
  const materialized = new Set(plan.materialized);
  const pending = [...plan.kernels];
  while (pending.length > 0) {
    const root = pending.pop()!;
    for (;;) {
      const prints = footprints(root, materialized);
      const f = prints.get(root)!;
      if (!over(f, limits)) break;
      const split = pickSplit(root, prints, limits);
      if (split === undefined) {
        throw new Error(
          `compile: a kernel computing ${root.op} ${root.axes.join(' ')} reads ${f.reads.size} buffers and runs ${f.loops} loops, ` +
            `and no part of it fits the backend's limits (${limits.maxReads ?? 'any'} buffers, ${limits.maxLoops ?? 'any'} loops)`,
        );
      }
      materialized.add(split);
    }
  }
  const kernels = graph.nodes.filter((n) => materialized.has(n) && !hostBufferOps.has(n.op));
  return { materialized, kernels };
}
