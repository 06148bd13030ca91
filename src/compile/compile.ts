/**
 * compile(program, { backend }): the dispatcher over the backends. Each
 * backend (native WebAssembly in ./wasm, shapegrad's WebGL2 renderer in
 * ./webgl2, gpu.js in ./gpujs) compiles through the shared steps of
 * ./pipeline.ts and returns the same CompiledProgram (./backend.ts).
 */
import type { Program } from '../ir/trace.js';
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
  compile: (program, options) => compileGpujs(program, backend, options),
});

/** Every backend by name. */
const drivers: Readonly<Record<Backend, BackendDriver>> = {
  wasm: {
    available: () => true,
    compile: (program, options) => {
      const native = compileWasm(program, options.wasm ?? {});
      return {
        graph: native.graph,
        kernels: native.kernels,
        sources: native.kernels.map((k) => `(native WebAssembly: ${k.name} is a function of one ${native.bytes.length}-byte module; no source text)`),
        buffers: native.buffers,
        run: (...args) => native.run(...args),
        lastRun: () => native.lastRun(),
        destroy: () => native.destroy(),
      };
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

/** Compile a traced program to fused kernels on a backend (native WebAssembly by default, or one of gpu.js's); the result runs on float32 and returns float64 values shaped like the program's outputs. */
export function compile<A extends readonly unknown[], R>(program: Program<A, R>, options: CompileOptions = {}): CompiledProgram<A, R> {
  const backend = options.backend ?? 'wasm';
  const driver = (drivers as Partial<Record<string, BackendDriver>>)[backend];
  if (driver === undefined) throw new Error(`compile: unknown backend ${backend} (known: ${backendNames.join(', ')})`);
  return driver.compile(program, options);
}
