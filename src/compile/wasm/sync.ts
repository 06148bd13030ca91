/**
 * The control words a threaded program's threads share (an Int32Array over a
 * SharedArrayBuffer), and the task loop every thread runs over them. Used on
 * the calling thread and in the workers (./worker.ts) alike.
 */
import type { Task } from './schedule.js';

/** Workers that finished the call's tasks. */
export const FINISHED = 0;
/** Workers that received the call (to tell a worker that never started from a slow one). */
export const STARTED = 1;
/** Non-zero once a worker failed; its message follows in the log. */
export const FAILED = 2;
/** Then one counter per kernel: parts of it done in this call; then one per kernel: its next chunk. */
export const COUNTERS = 3;

export const controlWords = (kernels: number) => COUNTERS + 2 * kernels;

/** Polls before sleeping: a wait is usually short (another thread finishing its half of a kernel). */
const SPIN = 4000;

/**
 * Wait until ctl[index] >= target: spin a little, then sleep on the word. With a deadline
 * (ms, from performance.now()), return false once it passes.
 */
export function waitAtLeast(ctl: Int32Array, index: number, target: number, deadline = Infinity): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(ctl, index) >= target) return true;
  for (;;) {
    const v = Atomics.load(ctl, index);
    if (v >= target) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(ctl, index, v, Math.min(left, 1000));
  }
}

type WaitAsync = (ctl: Int32Array, index: number, value: number, timeout?: number) => { readonly async: boolean; readonly value: Promise<string> | string };

/** waitAtLeast without blocking the calling thread (Atomics.waitAsync; polling with timers where it is missing). */
export async function waitAsyncAtLeast(ctl: Int32Array, index: number, target: number, deadline = Infinity): Promise<boolean> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  for (;;) {
    const v = Atomics.load(ctl, index);
    if (v >= target) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (waitAsync) {
      const timeout = Math.min(left, 1000);
      const r = waitAsync(ctl, index, v, timeout);
      if (!r.async) continue;
      // A pending waitAsync does not keep Node's event loop alive (and the pool's workers are
      // unref'd): without a ref'd timer, a script whose last work is this await exits (code 13).
      const alive = setTimeout(() => undefined, timeout + 1000);
      try {
        await r.value;
      } finally {
        clearTimeout(alive);
      }
    } else await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

export function signal(ctl: Int32Array, index: number): void {
  Atomics.add(ctl, index, 1);
  Atomics.notify(ctl, index);
}

/** Run one thread's tasks: wait for what each reads, run it (or the chunks of it left), count what it did. */
export function runTasks(ctl: Int32Array, tasks: readonly Task[], fns: readonly ((start: number, end: number) => void)[]): void {
  const kernels = (ctl.length - COUNTERS) / 2;
  for (const task of tasks) {
    const w = task.waits;
    for (let j = 0; j < w.length; j += 2) waitAtLeast(ctl, COUNTERS + w[j]!, w[j + 1]!);
    const fn = fns[task.kernel]!;
    const chunks = task.chunks;
    if (chunks === undefined) {
      fn(task.start, task.end);
      signal(ctl, COUNTERS + task.kernel);
      continue;
    }
    const next = COUNTERS + kernels + task.kernel;
    let done = 0;
    for (let c = Atomics.add(ctl, next, 1); 2 * c < chunks.length; c = Atomics.add(ctl, next, 1)) {
      fn(chunks[2 * c]!, chunks[2 * c + 1]!);
      done++;
    }
    if (done > 0) {
      Atomics.add(ctl, COUNTERS + task.kernel, done);
      Atomics.notify(ctl, COUNTERS + task.kernel);
    }
  }
}

/** After a failure: release every waiter (every counter past any target) and flag it. */
export function abandon(ctl: Int32Array): void {
  Atomics.store(ctl, FAILED, 1);
  for (let i = COUNTERS; i < ctl.length; i++) {
    Atomics.store(ctl, i, 1 << 30);
    Atomics.notify(ctl, i);
  }
}

/** The module's export of the i-th kernel (the caller and the workers look kernels up by position). */
export const kernelExport = (i: number): string => `k${i}`;
