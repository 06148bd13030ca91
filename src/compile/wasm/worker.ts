/**
 * A worker of the native backend's pool (./pool.ts): it instantiates each
 * attached program's module over the program's shared memory and, on each
 * `run`, executes its thread's tasks (./sync.ts). Runs under Node's
 * worker_threads or as a browser module Worker (messages via `self`).
 */
import { mathObject } from './math-imports.js';
import { FINISHED, STARTED, abandon, kernelExport, runTasks, signal } from './sync.js';
import type { Task } from './schedule.js';
import { nodeBuiltin } from '../../runtime/host.js';

export type PoolMessage =
  | { readonly kind: 'attach'; readonly id: number; readonly module: object; readonly memory: object; readonly control: SharedArrayBuffer; readonly tasks: readonly Task[] }
  | { readonly kind: 'run'; readonly id: number }
  | { readonly kind: 'drop'; readonly id: number };

interface Attached {
  readonly ctl: Int32Array;
  /** Why the module could not be instantiated here (each run then fails at once). */
  readonly error?: string;
  readonly tasks: readonly Task[];
  readonly fns: readonly ((start: number, end: number) => void)[];
}

type WasmInstance = new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };

const programs = new Map<number, Attached>();
const math = mathObject();

function attach(m: Extract<PoolMessage, { kind: 'attach' }>): void {
  try {
    programs.set(m.id, instantiate(m));
  } catch (e) {
    programs.set(m.id, { ctl: new Int32Array(m.control), tasks: [], fns: [], error: (e as Error).stack ?? String(e) });
  }
}

function instantiate(m: Extract<PoolMessage, { kind: 'attach' }>): Attached {
  const Instance = (globalThis as unknown as { WebAssembly: { Instance: WasmInstance } }).WebAssembly.Instance;
  const instance = new Instance(m.module, { math, env: { memory: m.memory } });
  const count = 1 + m.tasks.reduce((n, t) => Math.max(n, t.kernel), -1);
  const fns = Array.from({ length: count }, (_, i) => instance.exports[kernelExport(i)] as (start: number, end: number) => void);
  return { ctl: new Int32Array(m.control), tasks: m.tasks, fns };
}

function run(id: number): void {
  const p = programs.get(id);
  if (!p) throw new Error(`shapegrad wasm worker: program ${id} was never attached`);
  signal(p.ctl, STARTED);
  try {
    if (p.error !== undefined) throw new Error(`the module did not instantiate: ${p.error}`);
    runTasks(p.ctl, p.tasks, p.fns);
  } catch (e) {
    abandon(p.ctl);
    console.error(`shapegrad wasm worker: ${(e as Error).stack ?? String(e)}`);
  }
  signal(p.ctl, FINISHED);
}

function onMessage(m: PoolMessage): void {
  switch (m.kind) {
    case 'attach':
      attach(m);
      return;
    case 'run':
      run(m.id);
      return;
    case 'drop':
      programs.delete(m.id);
      return;
  }
}

const nodeWorkers = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
if (nodeWorkers) {
  nodeWorkers.parentPort?.on('message', onMessage);
} else {
  (globalThis as unknown as { onmessage: (e: { data: PoolMessage }) => void }).onmessage = (e) => onMessage(e.data);
}
