/**
 * The gpu.js backend: a traced program becomes gpu.js kernels run as one
 * gpu.js pipeline. The shared steps (../pipeline.ts) give the kernels; each is
 * rendered to gpu.js source (./render.ts), and the whole program is recorded
 * once with gpu.createPipeline, so intermediates never leave the backend and a
 * call is one pipeline call. What actually ran is recorded after every call.
 */
import type { Program } from '../../ir/trace.js';
import { unflattenTree } from '../../ir/tree.js';
import type { InputsOf, ValuesOf } from '../../ops/interpret.js';
import { numelOf, type NDArray } from '../../runtime/ndarray.js';
import { bindArguments } from '../../runtime/bind.js';
import { GL_SPLIT_LIMIT } from '../split-reductions.js';
import type { Kernel, Stmt } from '../kernel-ir.js';
import type { KernelLimits } from '../limit-kernels.js';
import type { CompileOptions, CompiledProgram, ExecutionInfo } from '../backend.js';
import { hostConstantData, lowerProgram } from '../pipeline.js';
import { erfFunctionSource } from '../approx-erf.js';
import { canPack, gpujsDims, renderKernel } from './render.js';
import { gpujs, isBackendAvailable, type GpujsBackend } from './backends.js';

/** A host value in gpu.js's layout for a tensor with these sizes. */
function toGpujs(data: ArrayLike<number>, sizes: readonly number[]): unknown {
  const flat = data instanceof Float32Array ? data : Float32Array.from(data);
  if (sizes.length <= 1) return flat;
  return gpujs().input(flat, gpujsDims(sizes));
}

/** Flatten gpu.js's nested result arrays ([z][y][x]) into row-major float64. */
function fromGpujs(result: unknown, n: number): Float64Array {
  const out = new Float64Array(n);
  let k = 0;
  const walk = (v: unknown) => {
    if (typeof v === 'number') {
      out[k++] = v;
    } else if (ArrayBuffer.isView(v) || Array.isArray(v)) {
      const items = v as ArrayLike<unknown>;
      for (let i = 0; i < items.length && k < n; i++) walk(items[i]);
    }
  };
  walk(result);
  if (k !== n) throw new Error(`compile: a kernel returned ${k} values where ${n} were expected`);
  return out;
}

const glBackends: ReadonlySet<GpujsBackend> = new Set(['headlessgl', 'webgl', 'webgl2']);

/** Loop iterations one output cell runs as rendered (innermost loops unrolled by four; nested reductions multiply). */
function iterationsPerCell(stmts: readonly Stmt[]): number {
  return stmts.reduce((sum, s) => {
    if (s.kind !== 'reduce') return sum;
    const last = s.loops[s.loops.length - 1]!.extent;
    const rendered = s.loops.slice(0, -1).reduce((n, l) => n * l.extent, 1) * (last % 4 === 0 && last >= 8 ? last / 4 : last);
    return sum + rendered * Math.max(1, iterationsPerCell(s.body));
  }, 0);
}

/**
 * GL drivers (measured: Mesa under Xvfb) stop a shader's loops after 65535
 * iterations in all without an error, so a longer reduction would silently
 * return a partial sum. Refuse it, naming the kernel, rather than compute it.
 */
function requireShortLoops(kernel: Kernel, backend: GpujsBackend): void {
  const n = iterationsPerCell(kernel.body);
  if (n > GL_MAX_ITERATIONS) {
    throw new Error(`compile: kernel ${kernel.name} (${kernel.ops.join(' ')}) runs ${n} loop iterations per output cell; the ${backend} backend stops loops after 65535, so it would return a partial result. Use webasm or cpu, or reduce in stages (e.g. sum over a reshaped axis first).`);
  }
}


/**
 * What one kernel may hold on each gpu.js backend (see limit-kernels.ts): WebGPU's default
 * 8 storage buffers per stage, one the output; the 16 texture units WebGL2 guarantees; and
 * at most 8 fused reduction loops where Mesa's llvmpipe compiles shaders (headless-gl).
 */
const kernelLimits: Readonly<Record<GpujsBackend, KernelLimits>> = {
  webgpu: { maxReads: 7 },
  webgl2: { maxReads: 15 },
  webgl: { maxReads: 15 },
  headlessgl: { maxReads: 15, maxLoops: 8 },
  cpu: {},
  webasm: {},
};

/** Iterations a GL shader may run per cell (65535 measured; a margin kept). */
export const GL_MAX_ITERATIONS = 65000;

/** Row-major float64 from an Array(pack) result laid out [z][row / pack][x][row % pack]. */
function unpackRows(result: unknown, sizes: readonly number[], pack: number): Float64Array {
  const r = sizes.length;
  const cols = sizes[r - 1]!;
  const rows = sizes[r - 2]!;
  const lead = numelOf(sizes.slice(0, r - 2));
  const out = new Float64Array(lead * rows * cols);
  const planes = (r === 2 ? [result] : (result as unknown[])) as unknown[][][];
  for (let z = 0; z < lead; z++) {
    const plane = planes[z]!;
    for (let y = 0; y < rows / pack; y++) {
      const line = plane[y]! as ArrayLike<number>[];
      for (let x = 0; x < cols; x++) {
        const cell = line[x]!;
        for (let q = 0; q < pack; q++) out[(z * rows + y * pack + q) * cols + x] = cell[q]!;
      }
    }
  }
  return out;
}

/**
 * The backend that ran, from gpu.js's report. Its GL executors report the
 * family name 'gpu'; the kernel's class tells which GL backend it was.
 */
function ranBackend(reported: string, kernel: { kernel?: { constructor?: { name?: string } } } | undefined): string {
  if (reported !== 'gpu') return reported;
  const byClass: Record<string, string> = { HeadlessGLKernel: 'headlessgl', WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', WebGPUKernel: 'webgpu' };
  return byClass[kernel?.kernel?.constructor?.name ?? ''] ?? reported;
}

let warnedFallbacks = new Set<string>();

/** For tests: forget which fallbacks were already warned about. */
export function resetFallbackWarnings(): void {
  warnedFallbacks = new Set();
}

/** Compile a traced program to gpu.js kernels on one of gpu.js's backends, run as one pipeline. */
export function compileGpujs<A extends readonly unknown[], R>(program: Program<A, R>, backend: GpujsBackend, options: CompileOptions = {}): CompiledProgram<A, R> {
  if (!isBackendAvailable(backend)) {
    throw new Error(`compile: backend ${backend} is not available on this machine (gpu.js reports it unsupported)`);
  }
  // GL drivers stop loops at 65535 iterations: split longer reductions across cells first.
  const { graph, buffers, bufferIds, kernels, hostConstants } = lowerProgram(program.graph, {
    ...(glBackends.has(backend) ? { splitLimit: GL_SPLIT_LIMIT } : {}),
    kernelLimits: { ...kernelLimits[backend], ...options.kernelLimits },
    simplifyIndices: true,
  });
  // Buffers: formal inputs, host constants (constants and random tensors, evaluated once here), kernel outputs.
  const constantData = hostConstantData({ bufferIds, hostConstants });
  const constantValues = new Map([...constantData].map(([id, data]) => [id, toGpujs(data, buffers.get(id)!.sizes)] as [number, unknown]));

  if (glBackends.has(backend)) kernels.forEach((k) => requireShortLoops(k, backend));
  // A contraction whose output leaves the program and feeds no other kernel computes
  // four rows per cell (gpu.js cannot feed an Array(4) output to another fused step).
  const readByKernels = new Set(kernels.flatMap((k) => k.inputs));
  const rendered = kernels.map((k) => renderKernel(k, buffers, { pack: !readByKernels.has(k.output) && canPack(k) }));
  const packOf = new Map(kernels.map((k, i) => [k.output, rendered[i]!.pack]));
  const sources = rendered.map((r) => r.source);

  const { GPU } = gpujs();
  const gpu = new GPU({ mode: backend });
  gpu.addFunction(erfFunctionSource);
  const gpuKernels = rendered.map((r) =>
    gpu.createKernel(r.source, {
      output: r.dims,
      precision: 'single',
      tactic: 'precision',
      loopMaxIterations: 1 << 24,
      ...(r.pack > 1 ? { returnType: `Array(${r.pack})` } : {}),
    }),
  );

  // The orchestration function, recorded once by createPipeline. gpu.js reads its
  // parameter list, so it is generated with one named parameter per formal input.
  const inputIds = graph.inputs.map((x) => bufferIds.get(x)!);
  const outputIds = graph.outputs.map((o) => bufferIds.get(o)!);
  const steps = kernels.map((k, i) => ({ kernel: gpuKernels[i], output: k.output, inputs: k.inputs }));
  const orchestrate = (args: readonly unknown[]) => {
    const bufs = new Map<number, unknown>(constantValues);
    inputIds.forEach((id, i) => bufs.set(id, args[i]));
    for (const step of steps) bufs.set(step.output, step.kernel(...step.inputs.map((b) => bufs.get(b))));
    return outputIds.map((id) => bufs.get(id));
  };
  const params = inputIds.map((_, i) => `x${i}`);
  const pipelineFn = new Function('orchestrate', `return function (${params.join(', ')}) { return orchestrate([${params.join(', ')}]); };`)(orchestrate);
  const pipeline = steps.length > 0 ? gpu.createPipeline(pipelineFn) : undefined;

  let info: ExecutionInfo | undefined;
  const run = async (...args: InputsOf<A>): Promise<ValuesOf<R>> => {
    const hostArgs = bindArguments(program, args as readonly unknown[], 'float32').map((d, i) => {
      const data = d as Float32Array;
      return { data, device: toGpujs(data, graph.inputs[i]!.sizes) };
    });
    const results: unknown[] = pipeline ? await pipeline(...hostArgs.map((h) => h.device)) : [];
    const values: NDArray[] = graph.outputs.map((o, i) => {
      const id = outputIds[i]!;
      const source = buffers.get(id)!.source;
      const n = numelOf(o.sizes);
      if (source === 'input') return { axes: o.axes, sizes: o.sizes, data: Float64Array.from(hostArgs[inputIds.indexOf(id)]!.data) };
      if (source === 'constant') return { axes: o.axes, sizes: o.sizes, data: Float64Array.from(constantData.get(id)!) };
      const pack = packOf.get(id) ?? 1;
      return { axes: o.axes, sizes: o.sizes, data: pack > 1 ? unpackRows(results[i], o.sizes, pack) : fromGpujs(results[i], n) };
    });
    info = {
      requested: backend,
      backend: pipeline ? ranBackend(String(pipeline.backend), gpuKernels[0]) : backend,
      executorKind: pipeline ? String(pipeline.executorKind) : 'none',
      fallbackReason: pipeline ? (pipeline.fallbackReason ?? null) : null,
      pipelineCalls: pipeline ? 1 : 0,
    };
    if (info.backend !== backend) {
      const key = `${backend}->${info.backend}`;
      if (!warnedFallbacks.has(key)) {
        warnedFallbacks.add(key);
        console.warn(`shapegrad: asked for gpu.js backend ${backend} but ${info.backend} ran (${info.fallbackReason ?? 'no reason given'})`);
      }
    }
    return unflattenTree(program.outputDef, values);
  };

  return {
    graph,
    kernels,
    sources,
    buffers,
    run,
    lastRun: () => info,
    destroy: () => gpu.destroy(),
  };
}
