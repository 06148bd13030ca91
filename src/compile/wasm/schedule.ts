/**
 * A static schedule of a program's kernels over T threads (thread 0 is the
 * caller's). A kernel worth splitting is cut into chunks of its outermost
 * output loop, at multiples of its register tile, that the T threads take in
 * turn (an atomic counter hands them out, so a thread the OS delays does less
 * of the work instead of holding the others up). Every output element is
 * computed by exactly one thread with the same instructions whatever the
 * split: results are bit-identical for any T. A small kernel runs whole on
 * one thread, chosen by list scheduling (earliest estimated finish, a penalty
 * for waiting on another thread's output), so chains of small kernels stay on
 * one thread instead of handing off at every step.
 *
 * Synchronisation is by counters, one per kernel: a thread adds the parts it
 * finished (1 for a whole kernel, its chunks for a split one); a task first waits until each kernel it reads that another
 * thread took part in has all its parts done. Each thread runs its tasks in
 * program order and waits only on earlier kernels, so the schedule cannot
 * deadlock. Besides reads after writes, a kernel whose output reuses the memory
 * of dead buffers waits for the kernels that used them (the `after` lists).
 */
import type { Kernel, Stmt } from '../kernel-ir.js';
import type { OuterLoop } from './render.js';
import { numelOf } from '../../runtime/ndarray.js';

export interface Task {
  /** Index of the kernel (its function is `k${index}` in program order). */
  readonly kernel: number;
  readonly start: number;
  readonly end: number;
  /** Pairs [kernel, parts]: wait until that kernel's counter reaches `parts` first. */
  readonly waits: readonly number[];
  /** A split kernel: [start, end) pairs of its chunks, taken by whichever thread comes first. */
  readonly chunks?: readonly number[];
}

export interface Schedule {
  readonly threads: number;
  /** Tasks of each thread, in program order. */
  readonly tasks: readonly (readonly Task[])[];
  /** How many parts (chunks, or 1) each kernel was cut into: its counter's value once done. */
  readonly parts: readonly number[];
}

export interface ScheduleOptions {
  /** Estimated cost (see kernelCost) from which a kernel is split across threads. */
  readonly splitMin: number;
  /** Estimated cost of waiting on another thread's result (wake-up and cache transfer). */
  readonly syncCost: number;
  /** Estimated cost of one chunk of a split kernel (at most 4 chunks per thread, at least 1). */
  readonly chunkCost?: number;
}

/** Defaults measured on the 2-core machine (docs/performance.md, "Threads"). */
export const defaultScheduleOptions: ScheduleOptions = { splitMin: 60_000, syncCost: 5_000, chunkCost: 200_000 };

/** Loop iterations one output element runs (nested reductions multiply), at least 1. */
function iterationsPerElement(stmts: readonly Stmt[]): number {
  return stmts.reduce((sum, s) => (s.kind === 'reduce' ? sum + s.loops.reduce((n, l) => n * l.extent, 1) * iterationsPerElement(s.body) : sum), 1);
}

/** A unitless estimate of a kernel's work: output elements times the loop iterations each runs. */
export function kernelCost(kernel: Kernel): number {
  return numelOf(kernel.sizes) * iterationsPerElement(kernel.body);
}

/** [start, end) ranges of [0, extent) for `parts` parts, cut at multiples of `step`, as even as the step allows. */
export function splitRange(outer: OuterLoop, parts: number): [number, number][] {
  const tiles = Math.ceil(outer.extent / outer.step);
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) {
    const a = Math.floor((tiles * p) / parts) * outer.step;
    const b = Math.min(outer.extent, Math.floor((tiles * (p + 1)) / parts) * outer.step);
    if (b > a) out.push([a, b]);
  }
  return out;
}

/**
 * `after[i]`: kernels that kernel i must wait for beyond those it reads (its output reuses the
 * memory of buffers they wrote or read: ./memory-plan.ts).
 */
export function planSchedule(kernels: readonly Kernel[], outers: readonly OuterLoop[], threads: number, options: ScheduleOptions = defaultScheduleOptions, after: readonly (readonly number[])[] = []): Schedule {
  const producer = new Map(kernels.map((k, i) => [k.output, i]));
  const tasks: Task[][] = Array.from({ length: threads }, () => []);
  const free = new Array<number>(threads).fill(0);
  const finish: number[] = [];
  const owners: Set<number>[] = [];
  const parts: number[] = [];
  kernels.forEach((k, i) => {
    const deps = [...new Set([...k.inputs.map((b) => producer.get(b)).filter((d): d is number => d !== undefined), ...(after[i] ?? [])])];
    const cost = kernelCost(k);
    const ready = (t: number) => deps.reduce((r, d) => Math.max(r, finish[d]! + (owners[d]!.size === 1 && owners[d]!.has(t) ? 0 : options.syncCost)), free[t]!);
    const waitsFor = (t: number) => deps.filter((d) => !(owners[d]!.size === 1 && owners[d]!.has(t))).flatMap((d) => [d, parts[d]!]);
    const wanted = Math.min(4 * threads, Math.max(threads, Math.floor(cost / (options.chunkCost ?? defaultScheduleOptions.chunkCost!))));
    const ranges = threads > 1 && cost >= options.splitMin ? splitRange(outers[i]!, wanted) : [];
    if (ranges.length > 1) {
      const chunks = ranges.flat();
      const start = Math.max(...tasks.map((_, t) => ready(t)));
      for (let t = 0; t < threads; t++) {
        tasks[t]!.push({ kernel: i, start: 0, end: outers[i]!.extent, waits: waitsFor(t), chunks });
        free[t] = start + cost / threads;
      }
      finish[i] = start + cost / threads;
      owners[i] = new Set(tasks.map((_, t) => t));
      parts[i] = ranges.length;
      return;
    }
    let best = 0;
    for (let t = 1; t < threads; t++) if (ready(t) < ready(best)) best = t;
    tasks[best]!.push({ kernel: i, start: 0, end: outers[i]!.extent, waits: waitsFor(best) });
    free[best] = ready(best) + cost;
    finish[i] = free[best]!;
    owners[i] = new Set([best]);
    parts[i] = 1;
  });
  return { threads, tasks, parts };
}
