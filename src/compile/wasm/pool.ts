/**
 * The native backend's worker pool: one process-wide set of workers
 * (./worker.ts), grown on demand, shared by every threaded program. A program
 * attaches once (its compiled module, its shared memory, its control words and
 * each worker's tasks); a call is then one `run` message per worker. Workers are
 * unref'd: an idle pool never keeps Node alive. Node's worker_threads is used
 * where present, else a browser module Worker.
 */
import type { PoolMessage } from './worker.js';
import type { Schedule } from './schedule.js';

interface PoolWorker {
  postMessage(m: PoolMessage): void;
}

type NodeWorkers = typeof import('node:worker_threads');
const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
const nodeWorkers: NodeWorkers | undefined = isNode ? await import('node:worker_threads') : undefined;
const nodeOs: typeof import('node:os') | undefined = isNode ? await import('node:os') : undefined;

const workerUrl = new URL('./worker.js', import.meta.url);

function spawn(): PoolWorker {
  if (nodeWorkers) {
    const w = new nodeWorkers.Worker(workerUrl);
    w.unref();
    w.on('error', (e) => console.error(`shapegrad wasm worker failed: ${e.stack ?? String(e)}`));
    return w;
  }
  const BrowserWorker = (globalThis as unknown as { Worker: new (url: URL, options: { type: 'module' }) => PoolWorker }).Worker;
  return new BrowserWorker(workerUrl, { type: 'module' });
}

/** Threads the runtime offers (Node: os.availableParallelism(); browsers: navigator.hardwareConcurrency). */
export function defaultThreads(): number {
  if (nodeOs) return nodeOs.availableParallelism();
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n > 0 ? n : 1;
}

/**
 * Why this thread cannot run a program on several threads, or null when it can: shared memory,
 * workers and a caller that may block in Atomics.wait (Node's main thread may; a browser's may not).
 */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'no SharedArrayBuffer (a browser page needs cross-origin isolation)';
  if (!nodeWorkers && typeof (globalThis as { Worker?: unknown }).Worker === 'undefined') return 'no worker threads in this runtime';
  if (!nodeWorkers) return 'a browser main thread cannot block in Atomics.wait (compile inside a Worker)';
  return null;
}

const workers: PoolWorker[] = [];
let nextId = 1;

/** Workers behind a program's threads 1..threads-1 (thread 0 is the caller). */
function workersFor(threads: number): PoolWorker[] {
  while (workers.length < threads - 1) workers.push(spawn());
  return workers.slice(0, threads - 1);
}

export interface Attachment {
  /** Workers with tasks (threads with none are never woken). */
  readonly workers: number;
  /** Ask every worker with tasks to run them for one call (the caller then runs thread 0's and waits). */
  start(): void;
  /** Forget the program in the workers. */
  detach(): void;
}

const forget = new FinalizationRegistry<() => void>((detach) => detach());

/** Hand a program to the pool's workers; `owner` (the compiled program) detaches it when collected. */
export function attach(owner: object, module: object, memory: object, control: SharedArrayBuffer, schedule: Schedule): Attachment {
  const id = nextId++;
  const ws = workersFor(schedule.threads).filter((_, i) => schedule.tasks[i + 1]!.length > 0);
  const busy = schedule.tasks.slice(1).filter((ts) => ts.length > 0);
  ws.forEach((w, i) => w.postMessage({ kind: 'attach', id, module, memory, control, tasks: busy[i]! }));
  let attached = true;
  const detach = () => {
    if (!attached) return;
    attached = false;
    for (const w of ws) w.postMessage({ kind: 'drop', id });
  };
  forget.register(owner, detach, owner);
  return {
    workers: ws.length,
    start: () => {
      for (const w of ws) w.postMessage({ kind: 'run', id });
    },
    detach: () => {
      forget.unregister(owner);
      detach();
    },
  };
}
