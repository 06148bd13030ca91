/**
 * What every compiler backend shares: the names, the options of `compile`,
 * and the compiled program each backend returns (run, what ran, destroy).
 */
import type { Graph } from '../ir/graph.js';
import type { Program } from '../ir/trace.js';
import type { InputsOf } from '../ops/interpret.js';
import type { BufferInfo, Kernel } from './kernel-ir.js';
import type { GpujsBackend } from './gpujs/backends.js';
import type { KernelLimits } from './limit-kernels.js';
import type { WasmCompileOptions } from './wasm/program.js';
import type { OutputPrecision, OutputsOf } from '../runtime/float32.js';

/**
 * A compiler backend: the native WebAssembly renderer, shapegrad's own WebGL2 renderer
 * (webgl2-native, in a browser), or gpu.js on one of its backends.
 */
export type Backend = 'wasm' | 'webgl2-native' | GpujsBackend;

/** Options of `compile`: the backend, per-backend settings, and the precision of the outputs. */
export interface CompileOptions<P extends OutputPrecision = 'float64'> {
  /** Default 'wasm' (the native WebAssembly renderer: the fastest on the CPU, measured in docs/performance.md). */
  readonly backend?: Backend;
  /** Options of the native WebAssembly backend (threads, ...; see WasmCompileOptions). */
  readonly wasm?: Omit<WasmCompileOptions, 'outputs'>;
  /**
   * On the gpu.js backends: what one fused kernel may hold, over the backend's defaults
   * (a WebGPU device that grants more storage buffers, say); bigger kernels are split.
   */
  readonly kernelLimits?: KernelLimits;
  /**
   * The outputs' data: 'float64' (default) widens the float32 results to Float64Arrays;
   * 'float32' returns them as computed, in Float32Arrays (as TensorFlow.js's `data()` and
   * JAX's float32 arrays do). The native wasm backend copies them straight out of its memory;
   * the others narrow their float64 results (exactly: they were float32 values).
   */
  readonly outputs?: P;
}

/** What ran on the last call: gpu.js's own introspection. */
export interface ExecutionInfo {
  readonly requested: Backend;
  readonly backend: string;
  readonly executorKind: string;
  readonly fallbackReason: string | null;
  /** Pipeline calls made for the last run (always 1: the program is one pipeline). */
  readonly pipelineCalls: number;
}

/** A compiled program: its kernels and buffers, and `run` on inputs shaped like the program's specs. */
export interface CompiledProgram<A extends readonly unknown[] = readonly unknown[], R = unknown, P extends OutputPrecision = 'float64'> {
  readonly graph: Graph;
  readonly kernels: readonly Kernel[];
  readonly sources: readonly string[];
  readonly buffers: ReadonlyMap<number, BufferInfo>;
  /** Run on inputs shaped like the program's specs; float32 results widened to float64 (or, with `outputs: 'float32'`, as computed). */
  run(...args: InputsOf<A>): Promise<OutputsOf<R, P>>;
  /** What ran on the last call (undefined before the first). */
  lastRun(): ExecutionInfo | undefined;
  /** Release the kernels and buffers (and the wasm workers). */
  destroy(): void;
}

/** One backend as `compile` dispatches to it. */
export interface BackendDriver {
  /** Whether it can run here. */
  available(): boolean;
  /** The program compiled for it (an error naming the backend where it is not available); outputs in float64 unless it honours `options.outputs` itself. */
  compile<A extends readonly unknown[], R>(program: Program<A, R>, options: CompileOptions<OutputPrecision>): CompiledProgram<A, R> | CompiledProgram<A, R, 'float32'>;
  /** Whether compile returns outputs in the precision options.outputs asks for (else compile narrows them). */
  readonly honoursOutputs?: boolean;
}
