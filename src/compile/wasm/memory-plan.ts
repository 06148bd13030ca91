/**
 * Where each buffer lives in the module's one linear memory. Formal inputs, host constants and
 * the program's outputs keep a region of their own (the host writes and reads them between
 * calls). A kernel's output that is only an intermediate lives from the kernel that writes it to
 * the last kernel that reads it, and its region is reused afterwards: the main job's step needed
 * 134 MB with one region per buffer, and every call touched all of it (a fresh page costs about
 * 13 µs on first touch here, and the caches see less of the rest).
 *
 * A reused region makes a new hazard between threads: a kernel writing it must wait until every
 * kernel that read (or wrote) the earlier tenants is done. antiDependencies lists those kernels
 * for the scheduler (./schedule.ts), which already waits for the kernels a task reads.
 */
import type { BufferInfo, Kernel } from '../kernel-ir.js';
import { numelOf } from '../../runtime/ndarray.js';

/** Buffers start on 16-byte boundaries (v128 loads). */
export const ALIGN = 16;

/** A buffer's bytes, rounded up to the alignment. */
export const alignedBytes = (info: BufferInfo): number => Math.ceil((numelOf(info.sizes) * 4) / ALIGN) * ALIGN;

/** Byte offsets of every buffer and the bytes the memory needs. */
export interface MemoryPlan {
  readonly offsets: ReadonlyMap<number, number>;
  readonly bytes: number;
}

/** The index of the last kernel reading each buffer (its producer's when none does). */
function lastUses(kernels: readonly Kernel[]): Map<number, number> {
  const last = new Map<number, number>();
  kernels.forEach((k, i) => {
    last.set(k.output, Math.max(last.get(k.output) ?? i, i));
    for (const b of k.inputs) last.set(b, i);
  });
  return last;
}

/** Free regions [start, end), kept sorted and merged. */
class FreeList {
  private regions: [number, number][] = [];

  /** The start of the first free region holding `size` bytes (taken out of the list), or null. */
  take(size: number): number | null {
    const at = this.regions.findIndex(([a, b]) => b - a >= size);
    if (at < 0) return null;
    const [a, b] = this.regions[at]!;
    if (b - a === size) this.regions.splice(at, 1);
    else this.regions[at] = [a + size, b];
    return a;
  }

  give(start: number, end: number): void {
    this.regions.push([start, end]);
    this.regions.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of this.regions) {
      const prev = merged[merged.length - 1];
      if (prev && prev[1] >= r[0]) prev[1] = Math.max(prev[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.regions = merged;
  }

  /** Drops a free region that ends at `end` (the memory shrinks back), returning its start. */
  trimAt(end: number): number {
    const last = this.regions[this.regions.length - 1];
    if (!last || last[1] !== end) return end;
    this.regions.pop();
    return last[0];
  }
}

/**
 * Offsets for every buffer: the pinned ones (inputs, constants, outputs) first, each its own
 * region; then each kernel's output, in program order, in the first free region that holds it
 * (regions free up after the last kernel reading their buffer).
 */
export function planMemory(kernels: readonly Kernel[], buffers: ReadonlyMap<number, BufferInfo>, pinned: ReadonlySet<number>): MemoryPlan {
  const offsets = new Map<number, number>();
  let end = 0;
  for (const info of buffers.values()) {
    if (info.source === 'kernel' && !pinned.has(info.id)) continue;
    offsets.set(info.id, end);
    end += alignedBytes(info);
  }
  const last = lastUses(kernels);
  const free = new FreeList();
  const dying = new Map<number, number[]>();
  kernels.forEach((k, i) => {
    if (!offsets.has(k.output)) {
      const size = alignedBytes(buffers.get(k.output)!);
      let at = free.take(size);
      if (at === null) {
        // Grow from the free region at the end, if any, rather than past it.
        at = free.trimAt(end);
        end = at + size;
      }
      offsets.set(k.output, at);
      const dies = last.get(k.output)!;
      dying.set(dies, [...(dying.get(dies) ?? []), k.output]);
    }
    for (const b of dying.get(i) ?? []) free.give(offsets.get(b)!, offsets.get(b)! + alignedBytes(buffers.get(b)!));
  });
  return { offsets, bytes: end };
}

/**
 * For each kernel, the earlier kernels that wrote or read a buffer whose region its output
 * overlaps: it may not start before they are done.
 */
export function antiDependencies(kernels: readonly Kernel[], buffers: ReadonlyMap<number, BufferInfo>, offsets: ReadonlyMap<number, number>): number[][] {
  const users = new Map<number, number[]>();
  kernels.forEach((k, i) => {
    for (const b of [k.output, ...k.inputs]) users.set(b, [...(users.get(b) ?? []), i]);
  });
  const producer = new Map(kernels.map((k, i) => [k.output, i]));
  const span = (b: number): [number, number] => [offsets.get(b)!, offsets.get(b)! + alignedBytes(buffers.get(b)!)];
  return kernels.map((k, i) => {
    const [a, z] = span(k.output);
    const before = new Set<number>();
    for (const [b, j] of producer) {
      if (j >= i || b === k.output) continue;
      const [c, d] = span(b);
      if (c < z && a < d) for (const u of users.get(b)!) if (u < i) before.add(u);
    }
    return [...before].sort((x, y) => x - y);
  });
}
