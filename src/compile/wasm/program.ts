/**
 * compileWasm(program): a traced program becomes one WebAssembly module, with
 * one function per kernel (src/compile/wasm/render.ts) and a `main` that runs
 * them in order, over one linear memory where every buffer (formal inputs,
 * host constants, kernel outputs) has a fixed byte offset. The passes are the
 * compiler's own (optimise, planFusion, lowerKernel); only rendering differs.
 *
 * With one thread a call writes the inputs into memory, calls `main` once and
 * reads the outputs. With several, the memory is shared with the pool's
 * workers (./pool.ts), the kernels are scheduled over the threads once at
 * compile time (./schedule.ts: large kernels split along their outermost
 * loop, small ones whole on one thread), and a call is one message per worker
 * while the calling thread runs thread 0's tasks; threads synchronise through
 * per-kernel counters (./sync.ts). Results are bit-identical for any number of
 * threads.
 */
import type { Tensor } from '../../ir/tensor.js';
import type { Graph } from '../../ir/graph.js';
import type { Program } from '../../ir/trace.js';
import { unflattenTree } from '../../ir/tree.js';
import { argumentLeaves, bindFloat32, bindValue } from '../../runtime/bind.js';
import type { InputsOf } from '../../ops/interpret.js';
import { numelOf, type NDArray } from '../../runtime/ndarray.js';
import type { NDArray32, OutputPrecision, OutputsOf } from '../../runtime/float32.js';
import { hostConstantData, lowerProgram } from '../pipeline.js';
import { WASM_SPLIT_LIMIT } from '../split-reductions.js';
import type { ExecutionInfo } from '../backend.js';
import type { BufferInfo, Kernel } from '../kernel-ir.js';
import { Code, encodeModule, type DefinedFunc } from './encode.js';
import { renderKernelWasm, voidType, type OuterLoop, type WasmRenderOptions } from './render.js';
import { importedFuncs, mathObject } from './math-imports.js';
import { kernelExport } from './sync.js';
import { alignedBytes, antiDependencies, planMemory } from './memory-plan.js';
import { FINITE_CHECK_EXPORT, finiteCheckFunc } from './finite-check.js';
import { transposeStridedOperands } from './transpose-operands.js';
import { planSchedule, type Schedule, type ScheduleOptions } from './schedule.js';
import { FAILED, FINISHED, STARTED, abandon, controlWords, runTasks, waitAsyncAtLeast, waitAtLeast } from './sync.js';
import { attach, callerMayBlock, defaultThreads, threadsUnavailable, type Attachment } from './pool.js';

/** The part of the WebAssembly JS API used here (lib ES2022 does not declare it). */
interface WasmApi {
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ readonly module: object; readonly instance: { readonly exports: Record<string, unknown> } }>;
}
const wasmApi = (): WasmApi => {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error('compileWasm: this runtime has no WebAssembly');
  return api;
};

/** Options of the native WebAssembly backend: the renderer's (SIMD, tiling, reduction lanes, index simplification, polynomials), threads and dispatch. */
export interface WasmCompileOptions<P extends OutputPrecision = 'float64'> extends WasmRenderOptions {
  /** Run the kernels one by one from JavaScript instead of through the module's `main`, timing each (see kernelTimes). */
  readonly perKernel?: boolean;
  /**
   * Threads a call runs on, the caller's included (default: os.availableParallelism() in Node,
   * navigator.hardwareConcurrency elsewhere). 1 runs everything on the calling thread.
   */
  readonly threads?: number;
  /**
   * 'caller' (default where the calling thread may block: Node, browser workers): the caller is
   * thread 0 and waits in Atomics.wait. 'workers' (default on a browser's main thread): every
   * thread is a worker and `run` awaits them with Atomics.waitAsync; runSync is refused.
   */
  readonly dispatch?: 'caller' | 'workers';
  /**
   * Reductions reading more elements than this per output are cut in two, a partial reduction
   * over chunks then a sum of the chunks (../split-reductions.ts), or false for none. Default
   * WASM_SPLIT_LIMIT: a chunk of a long contraction then stays in the core's cache, and the chunks
   * are work for both threads.
   */
  readonly splitReductions?: number | false;
  /** Let intermediate buffers share memory once dead (default true; ./memory-plan.ts). */
  readonly reuseMemory?: boolean;
  /** When kernels are split across threads (see schedule.ts; for measurements). */
  readonly schedule?: ScheduleOptions;
  /**
   * The outputs' data: 'float64' (default) widens the float32 results to Float64Arrays;
   * 'float32' returns them as computed, in Float32Arrays (each a copy out of the module's memory).
   */
  readonly outputs?: P;
}

/** What ran on the last call of a native WebAssembly program: ExecutionInfo with the threads used. */
export interface WasmExecutionInfo extends ExecutionInfo {
  readonly requested: 'wasm';
  readonly backend: 'wasm';
  readonly executorKind: 'native-sync' | 'native-threads';
  /** Threads the last run used (the caller's included). */
  readonly threads: number;
}

/** A program compiled to one native WebAssembly module. */
export interface WasmCompiledProgram<A extends readonly unknown[] = readonly unknown[], R = unknown, P extends OutputPrecision = 'float64'> {
  readonly graph: Graph;
  readonly kernels: readonly Kernel[];
  readonly buffers: ReadonlyMap<number, BufferInfo>;
  /** Byte offset of each buffer in the module's memory. */
  readonly offsets: ReadonlyMap<number, number>;
  /** The module's binary. */
  readonly bytes: Uint8Array;
  /** How kernels are spread over threads (one thread: everything on thread 0). */
  readonly schedule: Schedule;
  /**
   * Run on inputs shaped like the program's specs; float32 results widened to float64 (or, with
   * `outputs: 'float32'`, as computed). Float32Array inputs are copied in as they are.
   */
  run(...args: InputsOf<A>): Promise<OutputsOf<R, P>>;
  /** The same, synchronously. */
  runSync(...args: InputsOf<A>): OutputsOf<R, P>;
  /** What ran on the last call (undefined before the first). */
  lastRun(): WasmExecutionInfo | undefined;
  /** Milliseconds each kernel took on the last run (with the perKernel option; empty otherwise). */
  kernelTimes(): readonly number[];
  /** Release the module's memory and workers. */
  destroy(): void;
}

const PAGE = 65536;
/** wasm32: 4 GiB of linear memory at most. */
const MAX_PAGES = 65536;

/** One region per buffer, in buffer order (without memory reuse). */
function separateRegions(buffers: ReadonlyMap<number, BufferInfo>): { offsets: Map<number, number>; bytes: number } {
  const offsets = new Map<number, number>();
  let end = 0;
  for (const info of buffers.values()) {
    offsets.set(info.id, end);
    end += alignedBytes(info);
  }
  return { offsets, bytes: end };
}

interface Built {
  readonly graph: Graph;
  readonly kernels: readonly Kernel[];
  readonly buffers: ReadonlyMap<number, BufferInfo>;
  readonly bufferIds: ReadonlyMap<Tensor, number>;
  readonly hostConstants: readonly Tensor[];
  readonly offsets: ReadonlyMap<number, number>;
  /** For each kernel, the earlier kernels it must wait for because its output reuses their buffers' memory. */
  readonly after: readonly (readonly number[])[];
  readonly pages: number;
  readonly bytes: Uint8Array;
  readonly outers: readonly OuterLoop[];
  /** Threads to run on, and why fewer than asked for (or null). */
  readonly threads: number;
  readonly dispatch: 'caller' | 'workers';
  readonly fallbackReason: string | null;
}

type Instance = { readonly exports: Record<string, unknown> };
type Memory = { readonly buffer: ArrayBuffer };

/** The passes, the buffer plan and the module's bytes (no instantiation). */
function build(program: Program<readonly unknown[], unknown>, options: WasmCompileOptions<OutputPrecision>): Built {
  const asked = options.threads ?? defaultThreads();
  if (!Number.isInteger(asked) || asked < 1) throw new Error(`compileWasm: threads must be a positive integer; got ${asked}`);
  const unavailable = asked > 1 ? (options.perKernel ? 'perKernel timing runs on one thread' : threadsUnavailable()) : null;
  const threads = unavailable === null ? asked : 1;
  const dispatch = options.dispatch ?? (callerMayBlock() ? 'caller' : 'workers');
  // Buffers as every backend numbers them: formal inputs, host constants, kernel outputs.
  const splitLimit = options.splitReductions ?? WASM_SPLIT_LIMIT;
  if (splitLimit !== false && !(Number.isInteger(splitLimit) && splitLimit > 0)) throw new Error(`compileWasm: splitReductions must be a positive integer or false; got ${String(splitLimit)}`);
  const lowered = lowerProgram(program.graph, splitLimit === false ? {} : { splitLimit });
  const { graph, bufferIds, hostConstants } = lowered;
  const { kernels, buffers } = transposeStridedOperands(lowered.kernels, lowered.buffers, options);

  // Inputs, constants and outputs keep their own regions; intermediates share theirs once dead.
  const pinned = new Set([...buffers.values()].filter((b) => b.source !== 'kernel').map((b) => b.id).concat(graph.outputs.map((o) => bufferIds.get(o)!)));
  const { offsets, bytes: end } = options.reuseMemory === false ? separateRegions(buffers) : planMemory(kernels, buffers, pinned);
  const after = antiDependencies(kernels, buffers, offsets);
  const pages = Math.max(1, Math.ceil(end / PAGE));
  if (pages > MAX_PAGES) {
    throw new Error(`compileWasm: the program's buffers need ${end} bytes; one WebAssembly (wasm32) memory holds at most ${MAX_PAGES * PAGE}`);
  }

  // Exported by position (the workers look kernels up by it), whatever the kernels' names.
  const rendered = kernels.map((k, i) => ({ ...renderKernelWasm(k, buffers, offsets, options), export: kernelExport(i) }));
  const outers = rendered.map((f) => f.outer);
  const funcs: DefinedFunc[] = [...rendered];
  const main = new Code();
  outers.forEach((o, i) => main.i32(0).i32(o.extent).call(importedFuncs.length + i));
  funcs.push({ type: voidType, locals: [], code: main, export: 'main' }, finiteCheckFunc());
  const bytes = encodeModule({ imports: importedFuncs, memory: threads > 1 ? { min: pages, max: pages, shared: true } : { min: pages }, funcs });
  return { graph, kernels, buffers, bufferIds, hostConstants, offsets, after, pages, bytes, outers, threads, dispatch, fallbackReason: unavailable === null ? null : `${asked} threads asked for, 1 ran: ${unavailable}` };
}

function importsFor(memory: Memory): Record<string, Record<string, unknown>> {
  return { math: mathObject(), env: { memory } };
}

/**
 * Compile and instantiate synchronously (Node; browsers refuse synchronous compilation of
 * modules over 4 KB on their main thread: use compileWasmAsync there).
 */
export function compileWasm<A extends readonly unknown[], R, P extends OutputPrecision = 'float64'>(program: Program<A, R>, options: WasmCompileOptions<P> = {}): WasmCompiledProgram<A, R, P> {
  return plainProgram(program, options, wasmRunner(program, options));
}

/** The same, compiling and instantiating asynchronously (any thread, any module size). */
export async function compileWasmAsync<A extends readonly unknown[], R, P extends OutputPrecision = 'float64'>(program: Program<A, R>, options: WasmCompileOptions<P> = {}): Promise<WasmCompiledProgram<A, R, P>> {
  return plainProgram(program, options, await wasmRunnerAsync(program, options));
}

/** A compiled program whose calls take every argument and return every output. */
function plainProgram<A extends readonly unknown[], R, P extends OutputPrecision>(program: Program<A, R>, options: WasmCompileOptions<P>, runner: WasmRunner): WasmCompiledProgram<A, R, P> {
  const io = (args: readonly unknown[]): CallIO<OutputsOf<R, P>> => ({
    write: () => argumentLeaves(program.inputDef, args).forEach((leaf, i) => writeInput(runner, program, i, leaf)),
    read: () => unflattenTree(program.outputDef, runner.outputIds.map((id, i) => readBuffer(runner, id, program.graph.outputs[i]!, options.outputs ?? 'float64'))) as OutputsOf<R, P>,
  });
  return {
    ...runner.parts,
    run: (...args: InputsOf<A>) => runner.call(io(args as readonly unknown[])),
    runSync: (...args: InputsOf<A>) => runner.callSync(io(args as readonly unknown[])),
    lastRun: runner.lastRun,
    kernelTimes: runner.kernelTimes,
    destroy: runner.destroy,
  };
}

/**
 * One argument leaf checked and written into its formal input's buffer: a Float32Array with one
 * copy, then checked finite in the module's memory (and, where it is not, checked again on the host
 * for the message that names the element); anything else converted and checked on the host.
 */
export function writeInput(runner: Pick<WasmRunner, 'view' | 'inputIds' | 'allFinite'>, program: Pick<Program, 'graph' | 'inputPaths'>, input: number, leaf: unknown): void {
  const node = program.graph.inputs[input]!;
  const path = program.inputPaths[input]!;
  const { data, finiteChecked } = bindFloat32(node, path, leaf);
  const id = runner.inputIds[input]!;
  runner.view(id).set(data);
  if (!finiteChecked && !runner.allFinite(id)) bindValue(node, path, leaf, 'float32');
}

/** A buffer of the module's memory as a host value of its tensor: a copy, so later calls do not overwrite it. */
export function readBuffer(runner: Pick<WasmRunner, 'view'>, id: number, tensor: Tensor, precision: OutputPrecision): NDArray | NDArray32 {
  return hostValue(runner.view(id), tensor, precision);
}

/** Float32 elements as a host value of a tensor (a copy; widened to float64 unless float32 is asked for). */
export function hostValue(data: Float32Array, tensor: Tensor, precision: OutputPrecision): NDArray | NDArray32 {
  if (precision === 'float32') return { axes: tensor.axes, sizes: tensor.sizes, data: data.slice() };
  return { axes: tensor.axes, sizes: tensor.sizes, data: new Float64Array(data) };
}

/** The host side of one call: write the inputs into the module's memory before the kernels run, read what it returns after. */
export interface CallIO<T> {
  write(): void;
  read(): T;
}

/**
 * An instantiated module and its threads, without a host side: the kernels run on whatever
 * `write` put into memory, and `read` takes what it needs out (see compileWasm, compileWasmCarried).
 */
export interface WasmRunner {
  /** What a compiled program shows of itself. */
  readonly parts: Pick<WasmCompiledProgram, 'graph' | 'kernels' | 'buffers' | 'offsets' | 'bytes' | 'schedule'>;
  /** Buffer ids of the graph's formal inputs and of its outputs, in order. */
  readonly inputIds: readonly number[];
  readonly outputIds: readonly number[];
  /** A buffer's float32 elements in the module's memory (a view, not a copy). */
  view(id: number): Float32Array;
  /** Whether every element of a buffer is finite (checked by the module, four lanes at a time). */
  allFinite(id: number): boolean;
  /** Copy float32 elements from one buffer to another of the same length inside the module's memory. */
  copy(from: number, to: number): void;
  /** write, run every kernel, read; synchronously (refused where the thread may not block on workers). */
  callSync<T>(io: CallIO<T>): T;
  /** The same, after any call still in flight; awaits the workers without blocking where it must. */
  call<T>(io: CallIO<T>): Promise<T>;
  lastRun(): WasmExecutionInfo | undefined;
  kernelTimes(): readonly number[];
  destroy(): void;
}

/** Build and instantiate a module synchronously (Node; see compileWasm). */
export function wasmRunner(program: Program<readonly unknown[], unknown> | Program<never, unknown>, options: WasmCompileOptions<OutputPrecision>): WasmRunner {
  const built = build(program as Program<readonly unknown[], unknown>, options);
  const api = wasmApi();
  const memory = newMemory(api, built);
  const module = new api.Module(built.bytes);
  const instance = new api.Instance(module, importsFor(memory));
  return finish(options, built, module, instance, memory);
}

/** Build and instantiate a module asynchronously (any thread, any module size). */
export async function wasmRunnerAsync(program: Program<readonly unknown[], unknown> | Program<never, unknown>, options: WasmCompileOptions<OutputPrecision>): Promise<WasmRunner> {
  const built = build(program as Program<readonly unknown[], unknown>, options);
  const api = wasmApi();
  const memory = newMemory(api, built);
  const { module, instance } = await api.instantiate(built.bytes, importsFor(memory));
  return finish(options, built, module, instance, memory);
}

function newMemory(api: WasmApi, built: Built): Memory {
  return built.threads > 1 ? new api.Memory({ initial: built.pages, maximum: built.pages, shared: true }) : new api.Memory({ initial: built.pages });
}

/** How long a first call waits for the workers to start before it gives up. */
const WORKER_START_MS = 60_000;

function finish(options: WasmCompileOptions<OutputPrecision>, built: Built, module: object, instance: Instance, memory: Memory): WasmRunner {
  const { graph, kernels, buffers, bufferIds, hostConstants, offsets, after, bytes, outers, threads, dispatch } = built;
  const mainFn = instance.exports['main'] as () => void;
  const kernelFns = kernels.map((_, i) => instance.exports[kernelExport(i)] as (start: number, end: number) => void);
  const schedule = planSchedule(kernels, outers, threads, options.schedule, after);
  const heap = new Float32Array(memory.buffer);
  const view = (id: number) => heap.subarray(offsets.get(id)! / 4, offsets.get(id)! / 4 + numelOf(buffers.get(id)!.sizes));
  const finiteFn = instance.exports[FINITE_CHECK_EXPORT] as (start: number, end: number) => number;
  const allFinite = (id: number) => {
    const start = offsets.get(id)!;
    const n = numelOf(buffers.get(id)!.sizes);
    const vectorEnd = start + (n - (n % 4)) * 4;
    if (finiteFn(start, vectorEnd) === 0) return false;
    for (let i = vectorEnd / 4; i < start / 4 + n; i++) if (!Number.isFinite(heap[i]!)) return false;
    return true;
  };
  const copy = (from: number, to: number) => {
    const start = offsets.get(from)! / 4;
    heap.copyWithin(offsets.get(to)! / 4, start, start + numelOf(buffers.get(from)!.sizes));
  };

  // Host constants are evaluated once, on the host, in float64, and written once.
  for (const [id, data] of hostConstantData({ bufferIds, hostConstants })) view(id).set(data);

  const inputIds = graph.inputs.map((x) => bufferIds.get(x)!);
  const outputIds = graph.outputs.map((o) => bufferIds.get(o)!);
  let info: WasmExecutionInfo | undefined;
  let times: number[] = [];

  const finished = <T>(io: CallIO<T>): T => {
    info = { requested: 'wasm', backend: 'wasm', executorKind: threads > 1 ? 'native-threads' : 'native-sync', threads, fallbackReason: built.fallbackReason, pipelineCalls: options.perKernel ? kernelFns.length : 1 };
    return io.read();
  };
  const callSync = <T>(io: CallIO<T>): T => {
    if (dispatch === 'workers' && threads > 1) throw new Error('compileWasm: runSync would block this thread until the workers finish, which it may not do here (a browser main thread); use run');
    io.write();
    if (options.perKernel) {
      times = kernelFns.map((f, i) => {
        const t0 = performance.now();
        f(0, outers[i]!.extent);
        return performance.now() - t0;
      });
    } else if (threads > 1 && attachment!.workers > 0) runThreaded();
    else mainFn();
    return finished(io);
  };
  /**
   * With dispatch 'workers': every thread is a worker; the caller awaits them without blocking.
   * With 'caller', the first call awaits the workers' start without blocking: a browser Worker
   * starts the workers it spawns only when its own event loop turns.
   */
  const callAlone = async <T>(io: CallIO<T>): Promise<T> => {
    if (threads === 1 || options.perKernel || (dispatch === 'caller' && (started || attachment!.workers === 0))) return callSync(io);
    io.write();
    beginCall();
    const target = dispatch === 'workers' ? FINISHED : STARTED;
    if (!(await waitAsyncAtLeast(ctl, target, attachment!.workers, started ? Infinity : performance.now() + WORKER_START_MS))) {
      abandon(ctl);
      throw new Error(`compileWasm: the worker threads did not ${dispatch === 'workers' ? 'finish their first call' : 'start'} within ${WORKER_START_MS / 1000} s`);
    }
    started = true;
    if (dispatch === 'caller') runOwnTasks();
    else if (Atomics.load(ctl, FAILED) !== 0) throw new Error('compileWasm: a worker thread failed (its error is logged above)');
    return finished(io);
  };

  // Calls made while one awaits its workers wait their turn: all share one memory.
  let queue: Promise<unknown> = Promise.resolve();
  const call = <T>(io: CallIO<T>): Promise<T> => {
    const result = queue.then(() => callAlone(io));
    queue = result.catch(() => undefined);
    return result;
  };

  // Threads: the workers get the module, the memory and their tasks once.
  const control = threads > 1 ? new SharedArrayBuffer(controlWords(kernels.length) * 4) : undefined;
  const ctl = control ? new Int32Array(control) : new Int32Array(0);
  let attachment: Attachment | undefined;
  let started = false;
  const beginCall = () => {
    for (let i = 0; i < ctl.length; i++) Atomics.store(ctl, i, 0);
    attachment!.start();
  };
  /** Thread 0's share of a call, then the wait for the workers' shares. */
  const runOwnTasks = () => {
    let failure: unknown;
    try {
      runTasks(ctl, schedule.tasks[0]!, kernelFns);
    } catch (e) {
      failure = e;
      abandon(ctl);
    }
    waitAtLeast(ctl, FINISHED, attachment!.workers);
    if (failure !== undefined) throw failure;
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error('compileWasm: a worker thread failed (its error is logged above)');
  };
  const runThreaded = () => {
    beginCall();
    // A worker that never starts would leave thread 0 waiting on its results forever.
    if (!started && !waitAtLeast(ctl, STARTED, attachment!.workers, performance.now() + WORKER_START_MS)) {
      abandon(ctl);
      throw new Error(
        `compileWasm: the worker threads did not start within ${WORKER_START_MS / 1000} s` +
          (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' ? ' (in a browser Worker, make the first call with run, not runSync: the workers start only once this thread yields)' : ''),
      );
    }
    started = true;
    runOwnTasks();
  };

  const runner: WasmRunner = {
    parts: { graph, kernels, buffers, offsets, bytes, schedule },
    inputIds,
    outputIds,
    view,
    allFinite,
    copy,
    callSync,
    call,
    lastRun: () => info,
    kernelTimes: () => times,
    destroy: () => attachment?.detach(),
  };
  // Dispatch 'caller': the calling thread is thread 0; 'workers': one worker per thread.
  if (control) attachment = attach(runner, module, memory, control, dispatch === 'caller' ? schedule.tasks.slice(1) : schedule.tasks);
  return runner;
}
