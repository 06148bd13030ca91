export { compile, optimise, resetFallbackWarnings, backendAvailable, backendNames, type Backend, type CompileOptions, type CompiledProgram, type ExecutionInfo } from './compile.js';
export { compileWasm, compileWasmAsync, type WasmCompiledProgram, type WasmCompileOptions } from './wasm/program.js';
export { setWasmWorkerUrl } from './wasm/pool.js';
export { printCompiled } from './print.js';
export { planFusion, type FusionPlan } from './fuse.js';
export { simplify } from './simplify.js';
export { availableBackends, isBackendAvailable, gpujsBackends, type GpujsBackend } from './gpujs/backends.js';
export type * from './kernel-ir.js';
export type { UnaryKernelOp, BinaryKernelOp } from './kernel-ops.js';
