/**
 * compile(program, { backend }): the dispatcher over the backends. Each
 * backend (native WebAssembly in ./wasm, shapegrad's WebGL2 renderer in
 * ./webgl2, gpu.js in ./gpujs) compiles through the shared steps of
 * ./pipeline.ts and returns the same CompiledProgram (./backend.ts).
 */
import type { Program } from '../ir/trace.js';
import { mapTree } from '../ir/tree.js';
import type { InputsOf } from '../ops/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { OutputPrecision } from '../runtime/float32.js';
import type { Backend, BackendDriver, CompileOptions, CompiledProgram } from './backend.js';
import { compileGpujs } from './gpujs/program.js';
import { gpujsBackends, isBackendAvailable, type GpujsBackend } from './gpujs/backends.js';
import { compileWasm } from './wasm/program.js';
import { compileWebgl2Native } from './webgl2/program.js';
import { webgl2Unavailable } from './webgl2/device.js';

export type { Backend, BackendDriver, CompileOptions, CompiledProgram, ExecutionInfo } from './backend.js';
export { optimise } from './optimise.js';
export { resetFallbackWarnings, GL_MAX_ITERATIONS } from './gpujs/program.js';

const gpujsDriver = (backend: GpujsBackend): BackendDriver => ({
  available: () => isBackendAvailable(backend),
  compile: (program, options) => compileGpujs(program, backend, { ...options, outputs: 'float64' }),
});

/** Every backend by name. */
const drivers: Readonly<Record<Backend, BackendDriver>> = {
  wasm: {
    available: () => true,
    honoursOutputs: true,
    compile: (program, options) => {
      const native = compileWasm(program, { ...options.wasm, ...(options.outputs === undefined ? {} : { outputs: options.outputs }) });
      return {
        graph: native.graph,
        kernels: native.kernels,
        sources: native.kernels.map((k) => `(native WebAssembly: ${k.name} is a function of one ${native.bytes.length}-byte module; no source text)`),
        buffers: native.buffers,
        run: (...args: readonly unknown[]) => (native.run as (...xs: readonly unknown[]) => Promise<unknown>)(...args),
        lastRun: () => native.lastRun(),
        destroy: () => native.destroy(),
      } as never;
    },
  },
  'webgl2-native': {
    available: () => webgl2Unavailable() === undefined,
    compile: (program, options) => compileWebgl2Native(program, { ...(options.kernelLimits ? { kernelLimits: options.kernelLimits } : {}) }),
  },
  ...(Object.fromEntries(gpujsBackends.map((b) => [b, gpujsDriver(b)])) as Record<GpujsBackend, BackendDriver>),
};

/** Every backend `compile` accepts: native WebAssembly first (the default), then webgl2-native, then gpu.js's. */
export const backendNames: readonly Backend[] = ['wasm', 'webgl2-native', ...gpujsBackends];

/** Whether a backend can run here (wasm always; webgl2-native in a browser with float render targets; gpu.js's by its own report). */
export function backendAvailable(backend: Backend): boolean {
  return drivers[backend].available();
}

/**
 * Compile a traced program to fused kernels on a backend (native WebAssembly by default, or one of
 * gpu.js's); the result runs on float32 and returns float64 values shaped like the program's
 * outputs (float32 values with `outputs: 'float32'`).
 */
export function compile<A extends readonly unknown[], R, P extends OutputPrecision = 'float64'>(program: Program<A, R>, options: CompileOptions<P> = {}): CompiledProgram<A, R, P> {
  const backend = options.backend ?? 'wasm';
  const driver = (drivers as Partial<Record<string, BackendDriver>>)[backend];
  if (driver === undefined) throw new Error(`compile: unknown backend ${backend} (known: ${backendNames.join(', ')})`);
  const compiled = driver.compile(program, options as CompileOptions<OutputPrecision>) as CompiledProgram<A, R>;
  if (options.outputs !== 'float32' || driver.honoursOutputs) return compiled as unknown as CompiledProgram<A, R, P>;
  return { ...compiled, run: async (...args: InputsOf<A>) => narrowOutputs(await compiled.run(...args)) } as CompiledProgram<A, R, P>;
}

/** A tree of float64 values as float32 values (exact for values a float32 backend computed). */
function narrowOutputs(tree: unknown): never {
  return mapTree(tree, isNDArrayValue, (x) => ({ axes: x.axes, sizes: x.sizes, data: Float32Array.from(x.data) })) as never;
}

function isNDArrayValue(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && 'data' in x && 'axes' in x && 'sizes' in x;
}
