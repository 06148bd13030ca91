/**
 * Buffer numbering shared by the renderers: formal inputs first, then host
 * constants (constants and random tensors, evaluated once on the host), then
 * one buffer per kernel output, in that order.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import type { BufferInfo } from './kernel-ir.js';
import { hostBufferOps, type FusionPlan } from './fuse.js';

export interface BufferPlan {
  readonly bufferIds: ReadonlyMap<Tensor, number>;
  readonly buffers: ReadonlyMap<number, BufferInfo>;
  readonly hostConstants: readonly Tensor[];
}

export function planBuffers(graph: Graph, plan: FusionPlan): BufferPlan {
  const bufferIds = new Map<Tensor, number>();
  const buffers = new Map<number, BufferInfo>();
  const addBuffer = (t: Tensor, source: BufferInfo['source'], label: string) => {
    const id = bufferIds.size;
    bufferIds.set(t, id);
    buffers.set(id, { id, sizes: t.sizes, source, label });
  };
  graph.inputs.forEach((x) => addBuffer(x, 'input', String(x.attrs['name'])));
  const hostConstants = graph.nodes.filter((n) => hostBufferOps.has(n.op) && n.op !== 'input');
  hostConstants.forEach((c, i) => addBuffer(c, 'constant', c.attrs['name'] ? String(c.attrs['name']) : `${c.op}${i}`));
  plan.kernels.forEach((k, i) => addBuffer(k, 'kernel', `k${i}`));
  return { bufferIds, buffers, hostConstants };
}
