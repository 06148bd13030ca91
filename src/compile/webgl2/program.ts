/**
 * The webgl2-native backend: shapegrad's own WebGL2 code generator, beside
 * gpu.js's. The compiler's shared passes (optimise, reduction splitting,
 * fusion, kernel limits, buffers, lowering) are unchanged; each kernel becomes
 * one GLSL ES 3.00 fragment shader (./render.ts) drawing into an RGBA32F
 * texture laid out by ./layout.ts, and a call is one draw per kernel with the
 * intermediates left on the GPU, then one readback per output. Textures of
 * intermediates are reused once their last reader has run (a static plan).
 *
 * Why a second WebGL2 path: gpu.js reads every element through a generic
 * index-to-texel routine and writes one value per texel, which under a
 * CPU-emulated GPU made a 512 matmul 9x slower than TensorFlow.js's packed
 * kernels (docs/backends.md); fetching four packed values at once with
 * texelFetch is what closes that gap.
 */
import type { Program } from '../../ir/trace.js';
import { unflattenTree } from '../../ir/tree.js';
import { bindArguments } from '../../runtime/bind.js';
import type { InputsOf, ValuesOf } from '../../ops/interpret.js';
import type { NDArray } from '../../runtime/ndarray.js';
import type { CompiledProgram, ExecutionInfo } from '../backend.js';
import { GL_SPLIT_LIMIT } from '../split-reductions.js';
import type { KernelLimits } from '../limit-kernels.js';
import { hostConstantData, lowerProgram } from '../pipeline.js';
import { renderShader, type RenderedShader } from './render.js';
import { packTexels, textureLayout, unpackTexels, type TextureLayout } from './layout.js';
import { createWebgl2, type Webgl2Device, type WebGLProgram, type WebGLTexture } from './device.js';

/** 16 texture units are what WebGL2 guarantees a fragment shader. */
const DEFAULT_LIMITS: KernelLimits = { maxReads: 16 };

export interface Webgl2CompileOptions {
  readonly kernelLimits?: KernelLimits;
  /** Wait for each draw to finish and time it (see kernelTimes): a profile, slower than a plain run. */
  readonly perKernel?: boolean;
}

export interface Webgl2CompiledProgram<A extends readonly unknown[] = readonly unknown[], R = unknown> extends CompiledProgram<A, R> {
  /** Milliseconds each kernel took on the last run (with the perKernel option; empty otherwise). */
  kernelTimes(): readonly number[];
}

/** Interleaves a row-tiled kernel's four textures (row 4g + k is row g of texture k) into its output. */
const MERGE_SHADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
uniform sampler2D u0;
uniform sampler2D u1;
uniform sampler2D u2;
uniform sampler2D u3;
out vec4 result;
void main() {
  ivec2 f = ivec2(gl_FragCoord.xy);
  ivec2 c = ivec2(f.x, f.y >> 2);
  int k = f.y & 3;
  result = k == 0 ? texelFetch(u0, c, 0) : k == 1 ? texelFetch(u1, c, 0) : k == 2 ? texelFetch(u2, c, 0) : texelFetch(u3, c, 0);
}`;

const VERTEX_SHADER = `#version 300 es
void main() {
  gl_Position = vec4(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0, 0.0, 1.0);
}`;

/** Which texture each buffer lives in: inputs and constants their own, intermediates shared once dead. */
function planTextures(
  kernels: readonly { output: number; inputs: readonly number[] }[],
  layouts: ReadonlyMap<number, TextureLayout>,
  keep: ReadonlySet<number>,
): { textureOf: Map<number, number>; textureLayouts: TextureLayout[] } {
  const lastRead = new Map<number, number>();
  kernels.forEach((k, step) => k.inputs.forEach((b) => lastRead.set(b, step)));
  const textureOf = new Map<number, number>();
  const textureLayouts: TextureLayout[] = [];
  const free = new Map<string, number[]>();
  const shapeKey = (l: TextureLayout) => `${l.width}x${l.height}`;
  const allocate = (buffer: number) => {
    const layout = layouts.get(buffer)!;
    const reuse = free.get(shapeKey(layout))?.pop();
    if (reuse !== undefined) return textureOf.set(buffer, reuse);
    textureLayouts.push(layout);
    return textureOf.set(buffer, textureLayouts.length - 1);
  };
  for (const b of layouts.keys()) if (!kernels.some((k) => k.output === b)) allocate(b);
  kernels.forEach((k, step) => {
    allocate(k.output);
    for (const b of new Set(k.inputs)) {
      if (lastRead.get(b) === step && !keep.has(b) && kernels.some((x) => x.output === b)) {
        const key = shapeKey(layouts.get(b)!);
        free.set(key, [...(free.get(key) ?? []), textureOf.get(b)!]);
      }
    }
  });
  return { textureOf, textureLayouts };
}

export function compileWebgl2Native<A extends readonly unknown[], R>(program: Program<A, R>, options: Webgl2CompileOptions = {}): Webgl2CompiledProgram<A, R> {
  const device: Webgl2Device = createWebgl2();
  const { graph, bufferIds, buffers, hostConstants, kernels } = lowerProgram(program.graph, {
    splitLimit: GL_SPLIT_LIMIT,
    kernelLimits: { ...DEFAULT_LIMITS, ...options.kernelLimits },
    simplifyIndices: true,
  });
  const shaders: RenderedShader[] = kernels.map((k) => renderShader(k, buffers, device.maxTextureSize));

  const layouts = new Map<number, TextureLayout>([...buffers].map(([id, info]) => [id, textureLayout(info.sizes, device.maxTextureSize)]));
  const inputIds = graph.inputs.map((x) => bufferIds.get(x)!);
  const outputIds = graph.outputs.map((o) => bufferIds.get(o)!);
  const { textureOf, textureLayouts } = planTextures(kernels, layouts, new Set(outputIds));

  const constantData = hostConstantData({ bufferIds, hostConstants });

  let ready: { textures: WebGLTexture[]; programs: WebGLProgram[]; merge: WebGLProgram; tiles: Map<string, WebGLTexture[]> } | undefined;
  const prepare = () => {
    const textures = textureLayouts.map((l) => device.texture(l.width, l.height));
    for (const [id, data] of constantData) device.upload(textures[textureOf.get(id)!]!, layouts.get(id)!, packTexels(data, layouts.get(id)!));
    // Kernels with the same source (a block repeated in depth) share one program.
    const bySource = new Map<string, WebGLProgram>();
    const programs = shaders.map((s, i) => {
      const known = bySource.get(s.source);
      if (known) return known;
      const made = device.program(VERTEX_SHADER, s.source, s.inputs.length, `kernel ${kernels[i]!.name} (${kernels[i]!.ops.join(' ')})`);
      bySource.set(s.source, made);
      return made;
    });
    // Four textures per size of tile, shared by the tiled kernels (each is merged right after its draw).
    const tiles = new Map<string, WebGLTexture[]>();
    for (const s of shaders) {
      const key = `${s.layout.width}x${s.layout.height / 4}`;
      if (s.tiled && !tiles.has(key)) tiles.set(key, [0, 1, 2, 3].map(() => device.texture(s.layout.width, s.layout.height / 4)));
    }
    return { textures, programs, merge: device.program(VERTEX_SHADER, MERGE_SHADER, 4, 'the merge of a row-tiled kernel'), tiles };
  };

  let info: ExecutionInfo | undefined;
  let times: number[] = [];
  const run = async (...args: InputsOf<A>): Promise<ValuesOf<R>> => {
    const data = bindArguments(program, args as readonly unknown[], 'float32');
    ready ??= prepare();
    const { textures, programs, merge, tiles } = ready;
    inputIds.forEach((id, i) => device.upload(textures[textureOf.get(id)!]!, layouts.get(id)!, packTexels(data[i]!, layouts.get(id)!)));
    times = [];
    kernels.forEach((k, step) => {
      const layout = layouts.get(k.output)!;
      const t0 = options.perKernel ? performance.now() : 0;
      const shader = shaders[step]!;
      const inputs = shader.inputs.map((b) => textures[textureOf.get(b)!]!);
      const output = textures[textureOf.get(k.output)!]!;
      if (shader.tiled) {
        const quarter = tiles.get(`${layout.width}x${layout.height / 4}`)!;
        device.draw(programs[step]!, quarter, layout.width, layout.height / 4, inputs);
        device.draw(merge, [output], layout.width, layout.height, quarter);
      } else device.draw(programs[step]!, [output], layout.width, layout.height, inputs);
      if (options.perKernel) {
        device.finish();
        times.push(performance.now() - t0);
      }
    });
    const values: NDArray[] = graph.outputs.map((o, i) => {
      const id = outputIds[i]!;
      const layout = layouts.get(id)!;
      const source = buffers.get(id)!.source;
      if (source === 'input') return { axes: o.axes, sizes: o.sizes, data: Float64Array.from(data[inputIds.indexOf(id)]!) };
      if (source === 'constant') return { axes: o.axes, sizes: o.sizes, data: Float64Array.from(constantData.get(id)!) };
      return { axes: o.axes, sizes: o.sizes, data: unpackTexels(device.read(textures[textureOf.get(id)!]!, layout), layout) };
    });
    info = { requested: 'webgl2-native', backend: 'webgl2-native', executorKind: 'draws', fallbackReason: null, pipelineCalls: 1 };
    return unflattenTree(program.outputDef, values);
  };

  return {
    graph,
    kernels,
    sources: shaders.map((s) => s.source),
    buffers,
    run,
    lastRun: () => info,
    kernelTimes: () => times,
    destroy: () => device.destroy(),
  };
}
