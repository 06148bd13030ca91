/**
 * The native backend's worker pool: one process-wide set of workers
 * (./worker.ts), grown on demand, shared by every threaded program. A program
 * attaches once (its compiled module, its shared memory, its control words and
 * each worker's tasks); a call is then one `run` message per worker. Workers are
 * unref'd: an idle pool never keeps Node alive. Node's worker_threads is used
 * where present, else a browser module Worker.
 */
import type { PoolMessage } from './worker.js';
import type { Task } from './schedule.js';
import { nodeBuiltin } from '../../runtime/host.js';

interface PoolWorker {
  postMessage(m: PoolMessage): void;
}

const nodeWorkers = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
const nodeOs = nodeBuiltin<typeof import('node:os')>('node:os');

/**
 * The worker script. Unbundled it sits beside this file; a bundle of the package
 * must emit it beside itself as worker.js (import.meta.url is then the bundle's),
 * or name it with setWasmWorkerUrl.
 */
let workerUrl: URL | string = new URL('./worker.js', import.meta.url);

/** Where the native backend's pool loads its worker script from (for bundles that place it elsewhere); before the first threaded program only. */
export function setWasmWorkerUrl(url: URL | string): void {
  if (workers.length > 0) throw new Error(`setWasmWorkerUrl: the worker pool already started ${workers.length} workers from ${String(workerUrl)}`);
  workerUrl = url;
}

function spawn(): PoolWorker {
  if (nodeWorkers) {
    const w = new nodeWorkers.Worker(workerUrl);
    w.unref();
    w.on('error', (e) => console.error(`shapegrad wasm worker failed: ${e.stack ?? String(e)}`));
    return w;
  }
  const BrowserWorker = (globalThis as unknown as { Worker: new (url: URL | string, options: { type: 'module' }) => PoolWorker }).Worker;
  return new BrowserWorker(workerUrl, { type: 'module' });
}

/** Threads the runtime offers (Node: os.availableParallelism(); browsers: navigator.hardwareConcurrency). */
export function defaultThreads(): number {
  if (nodeOs) return nodeOs.availableParallelism();
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n > 0 ? n : 1;
}

/** Why this runtime cannot run a program on several threads (shared memory, workers), or null when it can. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'no SharedArrayBuffer (a browser page needs cross-origin isolation)';
  if (!nodeWorkers && typeof (globalThis as { Worker?: unknown }).Worker === 'undefined') return 'no worker threads in this runtime';
  return null;
}

/** Whether this thread may block in Atomics.wait: Node's threads and browser workers may, a browser's main thread may not. */
export function callerMayBlock(): boolean {
  return nodeWorkers !== undefined || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

const workers: PoolWorker[] = [];
let nextId = 1;

function workersFor(n: number): PoolWorker[] {
  while (workers.length < n) workers.push(spawn());
  return workers.slice(0, n);
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

/**
 * Hand a program to the pool's workers, one task list each (lists with no task get no worker);
 * `owner` (the compiled program) detaches it when collected.
 */
export function attach(owner: object, module: object, memory: object, control: SharedArrayBuffer, tasks: readonly (readonly Task[])[]): Attachment {
  const id = nextId++;
  const busy = tasks.filter((ts) => ts.length > 0);
  const ws = workersFor(busy.length);
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
