/**
 * The tiling analysis of the native WebAssembly renderer: along which
 * dimension a kernel's four lanes run (the output's last axis, or an
 * innermost reduction loop where its loads are contiguous along it: A B^T),
 * which loads move by one element along it, the register tile of rows x cols
 * copies of the body, and the outermost output loop the scheduler splits.
 */
import { walkExpr, walkStmts, type IrVisitor } from '../ir-walk.js';
import type { BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';
import { numelOf, stridesOf } from '../../runtime/ndarray.js';

/** Lanes of an f32x4. */
export const LANES = 4;

/** The dimension four lanes run along: a thread axis of the output, or a reduction loop. */
export type Along = { readonly kind: 'thread' | 'loop'; readonly id: number } | null;

/** Coefficient of the vectorised dimension in an index (0: independent), or null when not affine in it. */
export function coef(e: IndexExpr, axis: Along): number | null {
  switch (e.kind) {
    case 'thread':
      return axis?.kind === 'thread' && e.axis === axis.id ? 1 : 0;
    case 'loop':
      return axis?.kind === 'loop' && e.id === axis.id ? 1 : 0;
    case 'int':
      return 0;
    case 'iadd': {
      const a = coef(e.a, axis);
      const b = coef(e.b, axis);
      return a === null || b === null ? null : a + b;
    }
    case 'imul': {
      const a = coef(e.a, axis);
      const b = coef(e.b, axis);
      if (a === null || b === null) return null;
      if (e.a.kind === 'int') return e.a.value * b;
      if (e.b.kind === 'int') return e.b.value * a;
      return a === 0 && b === 0 ? 0 : null;
    }
    case 'idiv':
    case 'imod':
      return coef(e.a, axis) === 0 && coef(e.b, axis) === 0 ? 0 : null;
    case 'clamp':
      return coef(e.x, axis) === 0 ? 0 : null;
    case 'fromValue':
      return exprIndependent(e.value, axis) ? 0 : null;
  }
}

/** Whether a value provably does not vary along the vectorised axis (refs are assumed to vary). */
export function exprIndependent(e: Expr, axis: Along): boolean {
  switch (e.kind) {
    case 'literal':
      return true;
    case 'load':
      return e.index.every((i) => coef(i, axis) === 0);
    case 'unary':
      return exprIndependent(e.x, axis);
    case 'binary':
      return exprIndependent(e.a, axis) && exprIndependent(e.b, axis);
    case 'select':
      return exprIndependent(e.cond, axis) && exprIndependent(e.a, axis) && exprIndependent(e.b, axis);
    case 'compare':
      return coef(e.a, axis) === 0 && coef(e.b, axis) === 0;
    case 'index':
      return coef(e.index, axis) === 0;
    case 'ref':
      return false;
  }
}

/** Whether an index is never negative: counters, non-negative constants, and sums, products, quotients and remainders of such. */
function nonNegative(e: IndexExpr): boolean {
  switch (e.kind) {
    case 'thread':
    case 'loop':
      return true;
    case 'int':
      return e.value >= 0;
    case 'iadd':
    case 'imul':
    case 'idiv':
    case 'imod':
      return nonNegative(e.a) && nonNegative(e.b);
    case 'clamp':
      return e.lo >= 0;
    case 'fromValue':
      return false;
  }
}

/** Whether an index is a multiple of m whatever its counters: a multiple of m, or a sum of such, or a product with one. */
function multipleOf(e: IndexExpr, m: number): boolean {
  switch (e.kind) {
    case 'int':
      return e.value % m === 0;
    case 'iadd':
      return multipleOf(e.a, m) && multipleOf(e.b, m);
    case 'imul':
      return multipleOf(e.a, m) || multipleOf(e.b, m);
    default:
      return false;
  }
}

/** The terms of a sum. */
function termsOf(e: IndexExpr): IndexExpr[] {
  return e.kind === 'iadd' ? [...termsOf(e.a), ...termsOf(e.b)] : [e];
}

/**
 * The coefficient of a lane in an index, where four lanes run along a thread axis and start at
 * a multiple of four (tileOf's steps and segments.ts's cuts keep them there): coef, and also
 * (t + Y) / d and (t + Y) % d with d a multiple of four and Y a non-negative multiple of four
 * independent of t, which stay constant (the quotient) or move by one (the remainder) across the
 * lanes. A patch embedding's gradient reads its image at [(t / 4), (t % 4)] so: one v128.load.
 */
export function laneCoef(e: IndexExpr, along: Along): number | null {
  if (along?.kind !== 'thread') return coef(e, along);
  switch (e.kind) {
    case 'iadd': {
      const a = laneCoef(e.a, along);
      const b = laneCoef(e.b, along);
      return a === null || b === null ? null : a + b;
    }
    case 'imul': {
      const scaled = (k: number, x: IndexExpr) => {
        const c = laneCoef(x, along);
        return c === null ? null : k * c;
      };
      if (e.a.kind === 'int') return scaled(e.a.value, e.b);
      if (e.b.kind === 'int') return scaled(e.b.value, e.a);
      return coef(e, along);
    }
    case 'idiv':
    case 'imod': {
      if (e.b.kind !== 'int' || e.b.value <= 0 || e.b.value % LANES !== 0) return coef(e, along);
      const terms = termsOf(e.a);
      const lane = terms.filter((x) => x.kind === 'thread' && x.axis === along.id);
      const rest = terms.filter((x) => !(x.kind === 'thread' && x.axis === along.id));
      if (lane.length !== 1 || !rest.every((x) => coef(x, along) === 0 && nonNegative(x) && multipleOf(x, LANES))) return coef(e, along);
      return e.kind === 'idiv' ? 0 : 1;
    }
    default:
      return coef(e, along);
  }
}

/** Options of the native WebAssembly renderer (each a measured choice; the defaults are the fastest found). */
export interface WasmRenderOptions {
  /** f32x4 along the output's last axis when it allows (default true). */
  readonly simd?: boolean;
  /** Register tile of contractions, rows x (4 * cols) outputs (default 2 x 4 where the sizes divide, smaller otherwise: measured best of 2x4, 4x4, 3x4, 2x8, 1x8 on the xcit step, the 512 matmul and the main job's step, paired in one process; docs/performance.md). */
  readonly tile?: { readonly rows: number; readonly cols: number };
  /** Register tile of contractions that run four iterations of their loop at once instead (A B^T), rows x cols outputs (default 2 x 4: measured best of 2x2, 4x2, 2x4, 1x8, 4x4 on the xcit step). */
  readonly scalarTile?: { readonly rows: number; readonly cols: number };
  /** Copy small operands read with a stride along a contraction's output transposed first (./transpose-operands.ts; default true with simd). */
  readonly transposeOperands?: boolean;
  /** With transposeOperands, f32x4 kernels also read small operands gathered along their output from a transposed copy (default true). */
  readonly transposeGathers?: boolean;
  /** With transposeOperands, f32x4 contractions read an operand they splat with a stride along their reduction (xᵀ·dy) from a copy with the reduction innermost (default true: the xcit step 5.7 % faster on two threads; docs/performance.md). */
  readonly transposeSplats?: boolean;
  /** Let reductions run four iterations of their innermost loop at once where loads are contiguous along it (default true with simd). */
  readonly reductionLanes?: boolean;
  /** Simplify index arithmetic with the ranges of indices and loop counters first (default true). */
  readonly simplifyIndices?: boolean;
  /** A register tile's copies read through one address computation, their shifts in the loads' constant offsets (default true: the main job's step 7.9 % faster on one thread, the 512 matmul 20 %; docs/performance.md). */
  readonly offsetShifts?: boolean;
  /** Loads read axes a reshape split as one flat axis (./merge-split-axes.ts; default true). */
  readonly mergeSplitAxes?: boolean;
  /** exp, tanh and erf of f32x4 code by polynomials (default true); else lane by lane through Math. */
  readonly polyMath?: boolean;
  /** f32x4 reductions of products and polynomials by fused multiply-adds, where the engine has relaxed SIMD (./relaxed-simd.ts; default true). */
  readonly fma?: boolean;
}

/** Loads of a reduction's body and value whose address moves by one element along `along`. */
function contiguousLoads(stmts: readonly Stmt[], value: Expr | undefined, along: Along, buffers: ReadonlyMap<number, BufferInfo>): number {
  let n = 0;
  const visitor: IrVisitor = {
    expr: (e) => {
      if (e.kind !== 'load') return;
      const st = stridesOf(buffers.get(e.buffer)?.sizes ?? []);
      const coefs = e.index.map((i) => coef(i, along));
      if (coefs.every((k) => k !== null) && coefs.reduce<number>((s, k, d) => s + k! * (st[d] ?? 0), 0) === 1) n++;
    },
  };
  walkStmts(stmts, visitor);
  if (value) walkExpr(value, visitor);
  return n;
}

/** Whether a reduction runs four iterations of its innermost loop at once: a long enough loop, no nested reduction, contiguous loads along it. */
export function reductionVectorises(s: Extract<Stmt, { kind: 'reduce' }>, buffers: ReadonlyMap<number, BufferInfo>): boolean {
  const last = s.loops[s.loops.length - 1]!;
  if (last.extent % LANES !== 0 || last.extent < 2 * LANES) return false;
  if (s.body.some((b) => b.kind === 'reduce')) return false;
  return contiguousLoads(s.body, s.value, { kind: 'loop', id: last.id }, buffers) > 0;
}

/** Contiguous loads along the output's last axis versus along innermost reduction loops. */
function contiguity(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): { thread: number; loop: number } {
  const r = kernel.sizes.length;
  let thread = 0;
  let loop = 0;
  for (const s of kernel.body) {
    if (s.kind !== 'reduce') continue;
    thread += contiguousLoads(s.body, s.value, { kind: 'thread', id: r - 1 }, buffers);
    if (reductionVectorises(s, buffers)) loop += contiguousLoads(s.body, s.value, { kind: 'loop', id: s.loops[s.loops.length - 1]!.id }, buffers);
  }
  return { thread, loop };
}

/**
 * A register tile: rows x cols copies of the kernel body, `rows` consecutive indices along
 * `rowAxis` (any axis but the last) times `cols` vectors (or elements) along the last axis.
 */
export interface Tile {
  readonly vector: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly rowAxis: number;
}

/**
 * The axis a tile's rows run along: the one before the last when its extent divides by the
 * rows wanted, else the innermost other axis whose extent does ([B, 49, C] tiles along B).
 */
function rowAxisOf(sizes: readonly number[], rows: number): number {
  const r = sizes.length;
  if (r < 2 || sizes[r - 2]! % rows === 0) return r - 2;
  for (let a = r - 3; a >= 0; a--) if (sizes[a]! % rows === 0) return a;
  return r - 2;
}

/** The register tile a kernel is rendered with (vector or scalar, rows x cols), from its sizes, its loads' contiguity and the options. */
export function tileOf(kernel: Kernel, options: WasmRenderOptions = {}, buffers?: ReadonlyMap<number, BufferInfo>): Tile {
  const r = kernel.sizes.length;
  const last = r > 0 ? kernel.sizes[r - 1]! : 0;
  const contraction = kernel.body.some((s) => s.kind === 'reduce');
  const scalarTile = () => {
    // Scalar outputs: reductions may still run along their loop; a few outputs per step share loads.
    if (!contraction || options.simd === false || !buffers || contiguity(kernel, buffers).loop === 0) return { vector: false, rows: 1, cols: 1, rowAxis: r - 2 };
    const want = options.scalarTile ?? { rows: 2, cols: 4 };
    const rowAxis = rowAxisOf(kernel.sizes, want.rows);
    const rows = r >= 2 ? [want.rows, 4, 2, 1].find((k) => k <= want.rows && kernel.sizes[rowAxis]! % k === 0)! : 1;
    const cols = r >= 1 ? [want.cols, 4, 2, 1].find((k) => k <= want.cols && last % k === 0)! : 1;
    return { vector: false, rows, cols, rowAxis };
  };
  if (options.simd === false || r === 0 || last % LANES !== 0) return scalarTile();
  if (!contraction) return { vector: true, rows: 1, cols: 1, rowAxis: r - 2 };
  if (buffers && options.reductionLanes !== false) {
    const { thread, loop } = contiguity(kernel, buffers);
    if (loop > thread) return scalarTile();
  }
  const want = options.tile ?? { rows: 2, cols: 4 };
  const cols = [want.cols, 4, 2, 1].find((k) => k <= want.cols && last % (LANES * k) === 0)!;
  const rowAxis = rowAxisOf(kernel.sizes, want.rows);
  const rows = r >= 2 ? [want.rows, 4, 2, 1].find((k) => k <= want.rows && kernel.sizes[rowAxis]! % k === 0)! : 1;
  return { vector: true, rows, cols, rowAxis };
}

/** The step of each output loop: the register tile along the last axis and the row axis, 1 elsewhere. */
export function loopSteps(sizes: readonly number[], tile: Tile): number[] {
  const r = sizes.length;
  const width = tile.vector ? LANES : 1;
  return sizes.map((_, d) => (d === r - 1 ? width * tile.cols : d === tile.rowAxis ? tile.rows : 1));
}

/**
 * The outermost output loop of a kernel as rendered: its extent and step (the register
 * tile along it). A caller splits [0, extent) at multiples of the step, so that every
 * output element is computed by the same instructions whatever the split. A kernel of
 * rank 0 has no loop: one range [0, 1), not split.
 */
export interface OuterLoop {
  readonly extent: number;
  readonly step: number;
}

/** The outermost output loop of a kernel rendered with this tile. */
export function outerLoopOf(kernel: Kernel, tile: Tile): OuterLoop {
  const r = kernel.sizes.length;
  if (r === 0 || numelOf(kernel.sizes) === 0) return { extent: 1, step: 1 };
  const step = r === 1 ? (tile.vector ? LANES : 1) * tile.cols : tile.rowAxis === 0 ? tile.rows : 1;
  return { extent: kernel.sizes[0]!, step };
}

