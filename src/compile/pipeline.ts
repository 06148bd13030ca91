/**
 * The steps every backend compiles through: the graph passes (optimise, and
 * for GL backends the splitting of long reductions), the fusion plan (with
 * per-kernel limits where a backend has them), the buffer plan, lowering to
 * the kernel IR, and the host constants' values.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { interpret } from '../ops/interpret.js';
import { optimise } from './optimise.js';
import { splitReductions } from './split-reductions.js';
import { planFusion, type FusionPlan } from './fuse.js';
import { limitKernels, type KernelLimits } from './limit-kernels.js';
import { planBuffers } from './buffers.js';
import { lowerKernel } from './lower.js';
import { simplifyIndices } from './wasm/simplify-index.js';
import type { BufferInfo, Kernel } from './kernel-ir.js';

/** What a backend asks of the shared steps. */
export interface PipelineOptions {
  /** Split reductions reading more than this many elements per output cell (GL loop limits). */
  readonly splitLimit?: number;
  /** What one fused kernel may hold (absent: the fusion plan as it is). */
  readonly kernelLimits?: KernelLimits;
  /** Simplify each kernel's index arithmetic with ranges (the wasm renderer does this itself, per segment). */
  readonly simplifyIndices?: boolean;
}

/** A program lowered to kernels over planned buffers. */
export interface Lowered {
  /** The optimised graph the kernels compute. */
  readonly graph: Graph;
  readonly plan: FusionPlan;
  /** Each materialised node's buffer. */
  readonly bufferIds: ReadonlyMap<Tensor, number>;
  readonly buffers: ReadonlyMap<number, BufferInfo>;
  /** Constants and random tensors, evaluated on the host once. */
  readonly hostConstants: readonly Tensor[];
  /** One kernel per kernel root of the plan, in execution order. */
  readonly kernels: readonly Kernel[];
}

/** Optimise, plan fusion and buffers, and lower every kernel. */
export function lowerProgram(source: Graph, options: PipelineOptions = {}): Lowered {
  const graph = options.splitLimit === undefined ? optimise(source) : optimise(splitReductions(optimise(source), options.splitLimit));
  const fused = planFusion(graph);
  const plan = options.kernelLimits ? limitKernels(graph, fused, options.kernelLimits) : fused;
  const { bufferIds, buffers, hostConstants } = planBuffers(graph, plan);
  const kernels = plan.kernels.map((root, i) => {
    const k = lowerKernel(root, `k${i}`, (t) => bufferIds.get(t));
    return options.simplifyIndices ? simplifyIndices(k) : k;
  });
  return { graph, plan, bufferIds, buffers, hostConstants, kernels };
}

/** The float64 values of the host constants, by buffer id. */
export function hostConstantData(lowered: Pick<Lowered, 'bufferIds' | 'hostConstants'>): Map<number, Float64Array> {
  const data = new Map<number, Float64Array>();
  const { hostConstants, bufferIds } = lowered;
  if (hostConstants.length === 0) return data;
  const values = interpret({ inputs: [], outputs: hostConstants, nodes: hostConstants }, []);
  hostConstants.forEach((c, i) => data.set(bufferIds.get(c)!, values[i]!.data));
  return data;
}
