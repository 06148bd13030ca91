/**
 * Before rendering: a contraction whose output's last axis comes from an operand laid out with
 * the contracted axis innermost (x·Wᵀ, a Linear layer's weight [out, in]) cannot run four output
 * elements at once from one load, so it runs scalar outputs with lanes along its loop and sums the
 * lanes after each loop (./tiling.ts). When that operand is small beside the output (a weight, not
 * an activation), a kernel placed before the contraction copies it with the output's axis moved
 * innermost, and the contraction reads the copy: its loads along the output are then contiguous,
 * and it is rendered f32x4 along its output with a register tile. The copy is made once per
 * operand and layout, whatever the number of contractions reading it.
 *
 * The same copy serves a kernel already rendered f32x4 that reads a small operand at constant
 * positions with the output's last axis elsewhere than innermost (a depthwise convolution's
 * weight [C, 1, 3, 3] read as w[c, 0, i, j] for each tap): four lanes of it were four scalar
 * loads, and from the copy [1, 3, 3, C] they are one v128.load.
 */
import type { BufferId, BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';
import { walkExpr, walkStmts } from '../ir-walk.js';
import { numelOf } from '../../runtime/ndarray.js';
import { LANES, tileOf, type WasmRenderOptions } from './tiling.js';
import { simplifyIndices } from './simplify-index.js';

/** Kernels and buffers with the transposed copies added. */
export interface WithCopies {
  readonly kernels: readonly Kernel[];
  readonly buffers: ReadonlyMap<number, BufferInfo>;
}

type Load = Extract<Expr, { kind: 'load' }>;

/** A load to read from a copy: the load, and the order of its buffer's axes in the copy (the output's axis last). */
interface Candidate {
  readonly load: Load;
  readonly order: readonly number[];
}

const isThread = (e: IndexExpr, axis: number): boolean => e.kind === 'thread' && e.axis === axis;

/** The copy's axis order for a load with plain indices, the innermost loop last and the output's last axis elsewhere, or null. */
function orderFor(index: readonly IndexExpr[], innerLoop: number, lastAxis: number): readonly number[] | null {
  const r = index.length;
  if (r < 2 || !index.every((e) => e.kind === 'thread' || e.kind === 'loop')) return null;
  const last = index[r - 1]!;
  if (last.kind !== 'loop' || last.id !== innerLoop) return null;
  const at = index.findIndex((e) => isThread(e, lastAxis));
  if (at < 0) return null;
  return [...index.keys()].filter((d) => d !== at).concat(at);
}

/** The copy's axis order for a load at constant positions but for the output's last axis, elsewhere than innermost, or null. */
function gatherOrderFor(index: readonly IndexExpr[], lastAxis: number): readonly number[] | null {
  const r = index.length;
  const at = index.findIndex((e) => isThread(e, lastAxis));
  if (at < 0 || at === r - 1 || !index.every((e, d) => d === at || e.kind === 'int')) return null;
  return [...index.keys()].filter((d) => d !== at).concat(at);
}

/** The loads of an f32x4 kernel's lets and result that a transposed copy of a small operand would turn from four scalar loads into one. */
function gatherCandidates(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): Candidate[] {
  const r = kernel.sizes.length;
  const loads = [...kernel.body.flatMap((b) => (b.kind === 'let' ? loadsOf(b.value) : [])), ...loadsOf(kernel.result)];
  return loads.flatMap((load) => {
    const order = gatherOrderFor(load.index, r - 1);
    const info = buffers.get(load.buffer);
    return order && info && numelOf(info.sizes) <= numelOf(kernel.sizes) ? [{ load, order }] : [];
  });
}

/**
 * The copy's axis order for a load of an f32x4 contraction that is the same in every lane (one
 * splat) and steps through memory with a stride along its reductions (xᵀ·dy, a weight's gradient,
 * reads x[k, c] down a column): the output's axes moved to just before the innermost reduction's,
 * so that it reads consecutive elements ([B, T, C] copied as [B, C, T]). Null when it already does, or for other indices.
 */
function splatOrderFor(index: readonly IndexExpr[], innerLoop: number, lastAxis: number): readonly number[] | null {
  const r = index.length;
  if (r < 2 || !index.every((e) => e.kind === 'thread' || e.kind === 'loop')) return null;
  if (index.some((e) => isThread(e, lastAxis))) return null;
  const inner = index.findIndex((e) => e.kind === 'loop' && e.id === innerLoop);
  if (inner < 0 || inner === r - 1) return null;
  const threads = [...index.keys()].filter((d) => index[d]!.kind === 'thread');
  const loops = [...index.keys()].filter((d) => index[d]!.kind === 'loop');
  if (threads.length === 0 || loops[loops.length - 1] !== inner) return null;
  // The output's axes just before the innermost reduction's: the copy is a batch of small transposes, cheap to make.
  return [...loops.slice(0, -1), ...threads, inner];
}

/** The splat loads of an f32x4 contraction's reductions that a copy would make consecutive along their innermost loop (see splatOrderFor). */
function splatCandidates(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): Candidate[] {
  const r = kernel.sizes.length;
  const columnTiles = (kernel.sizes[r - 1] ?? 0) / (LANES * 4);
  if (columnTiles < 2) return [];
  return reductionLoads(kernel).flatMap(({ load, innerLoop }) => {
    const order = splatOrderFor(load.index, innerLoop, r - 1);
    return order && buffers.has(load.buffer) ? [{ load, order }] : [];
  });
}

/** The loads of a kernel's reductions that hold no reduction themselves, each with its reduction's innermost loop. */
function reductionLoads(kernel: Kernel): { readonly load: Load; readonly innerLoop: number }[] {
  return kernel.body.flatMap((s) => {
    if (s.kind !== 'reduce' || s.body.some((b) => b.kind === 'reduce')) return [];
    const innerLoop = s.loops[s.loops.length - 1]!.id;
    return [...s.body.flatMap((b) => (b.kind === 'let' ? loadsOf(b.value) : [])), ...loadsOf(s.value)].map((load) => ({ load, innerLoop }));
  });
}

/** Loads of a value, not looking into gathered indices (a gathered operand is never copied). */
function loadsOf(e: Expr): Load[] {
  switch (e.kind) {
    case 'load':
      return [e];
    case 'unary':
      return loadsOf(e.x);
    case 'binary':
      return [...loadsOf(e.a), ...loadsOf(e.b)];
    case 'select':
      return [...loadsOf(e.cond), ...loadsOf(e.a), ...loadsOf(e.b)];
    default:
      return [];
  }
}

/** The loads of a contraction's reductions that a transposed copy of a small operand would make contiguous along the output. */
function candidates(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): Candidate[] {
  const r = kernel.sizes.length;
  return reductionLoads(kernel).flatMap(({ load, innerLoop }) => {
    const order = orderFor(load.index, innerLoop, r - 1);
    const info = buffers.get(load.buffer);
    return order && info && numelOf(info.sizes) <= numelOf(kernel.sizes) ? [{ load, order }] : [];
  });
}

/** The same expression with each chosen load read from its copy. */
function rereadExpr(e: Expr, reread: ReadonlyMap<Load, Load>): Expr {
  switch (e.kind) {
    case 'load':
      return reread.get(e) ?? e;
    case 'unary':
      return { ...e, x: rereadExpr(e.x, reread) };
    case 'binary':
      return { ...e, a: rereadExpr(e.a, reread), b: rereadExpr(e.b, reread) };
    case 'select':
      return { ...e, cond: rereadExpr(e.cond, reread), a: rereadExpr(e.a, reread), b: rereadExpr(e.b, reread) };
    default:
      return e;
  }
}

function rereadStmt(s: Stmt, reread: ReadonlyMap<Load, Load>): Stmt {
  if (s.kind === 'let') return { ...s, value: rereadExpr(s.value, reread) };
  return { ...s, body: s.body.map((b) => rereadStmt(b, reread)), value: rereadExpr(s.value, reread) };
}

/** Every buffer a kernel still reads: its inputs in their order, then the copies. */
function inputsOf(k: Kernel, before: readonly BufferId[]): BufferId[] {
  const read = new Set<BufferId>();
  const visitor = { expr: (e: Expr) => void (e.kind === 'load' && read.add(e.buffer)) };
  walkStmts(k.body, visitor);
  walkExpr(k.result, visitor);
  return [...before.filter((b) => read.has(b)), ...[...read].filter((b) => !before.includes(b))];
}

/** The kernel that writes `source` with its axes in `order`. */
function copyKernel(name: string, source: BufferInfo, order: readonly number[], output: BufferId): Kernel {
  const index: IndexExpr[] = new Array<IndexExpr>(order.length);
  order.forEach((d, j) => (index[d] = { kind: 'thread', axis: j }));
  return { name, output, sizes: order.map((d) => source.sizes[d]!), inputs: [source.id], body: [], result: { kind: 'load', buffer: source.id, index }, ops: ['transpose'] };
}

interface Copy {
  readonly info: BufferInfo;
  readonly kernel: Kernel;
}

/** Adds the transposed copies that let strided contractions run f32x4 along their output. */
export function transposeStridedOperands(kernels: readonly Kernel[], buffers: ReadonlyMap<number, BufferInfo>, options: WasmRenderOptions = {}): WithCopies {
  if (options.simd === false || options.transposeOperands === false) return { kernels, buffers };
  const all = new Map(buffers);
  let nextId = Math.max(-1, ...buffers.keys()) + 1;
  const made = new Map<string, BufferId>();
  const out: Kernel[] = [];
  for (const given of kernels) {
    const last = given.sizes[given.sizes.length - 1] ?? 0;
    const vector = tileOf(given, options, all).vector;
    // A reshape fused into the kernel reads the operand through flat index arithmetic: simplified, it shows its constant positions.
    const kernel = vector && options.simplifyIndices !== false ? simplifyIndices(given) : given;
    const found = last % LANES !== 0 ? [] : vector ? [...(options.transposeGathers === false ? [] : gatherCandidates(kernel, all)), ...(options.transposeSplats === false ? [] : splatCandidates(kernel, all))] : candidates(kernel, all);
    if (found.length === 0) {
      out.push(given);
      continue;
    }
    const fresh = new Map<string, Copy>();
    const reread = new Map<Load, Load>();
    for (const { load, order } of found) {
      const key = `${load.buffer}:${order.join(',')}`;
      let id = made.get(key) ?? fresh.get(key)?.info.id;
      if (id === undefined) {
        const source = all.get(load.buffer)!;
        id = nextId++;
        const info: BufferInfo = { id, sizes: order.map((d) => source.sizes[d]!), source: 'kernel', label: `${source.label} transposed` };
        fresh.set(key, { info, kernel: copyKernel(`${kernel.name}_t${fresh.size}`, source, order, id) });
      }
      reread.set(load, { kind: 'load', buffer: id, index: order.map((d) => load.index[d]!) });
    }
    const body = kernel.body.map((s) => rereadStmt(s, reread));
    const result = rereadExpr(kernel.result, reread);
    const rewritten: Kernel = { ...kernel, body, result, inputs: inputsOf({ ...kernel, body, result }, kernel.inputs) };
    const withFresh = new Map(all);
    for (const c of fresh.values()) withFresh.set(c.info.id, c.info);
    if (!tileOf(rewritten, options, withFresh).vector) {
      nextId -= fresh.size;
      out.push(given);
      continue;
    }
    for (const [key, c] of fresh) {
      all.set(c.info.id, c.info);
      made.set(key, c.info.id);
      out.push(c.kernel);
    }
    out.push(rewritten);
  }
  return { kernels: out, buffers: all };
}
