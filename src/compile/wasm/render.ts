/**
 * The native WebAssembly renderer: kernel IR to one wasm function per kernel,
 * every size baked in. Index arithmetic is i32 (no float indices truncated at
 * each access, unlike gpu.js's webasm backend); values are f32. Each buffer
 * lives at a fixed byte offset in one linear memory, row-major and flat (not
 * gpu.js's [z][y][x]). A kernel loops over every output element in row-major
 * order; a reduction is a nest of loops accumulating into a local.
 *
 * SIMD: when the output's last axis is a multiple of 4, a kernel computes four
 * consecutive elements of that axis at once (f32x4). A load whose address does
 * not move along that axis is one scalar load splatted; one that moves by one
 * element per lane is one v128.load; any other is four scalar loads. Math with
 * no f32x4 instruction (exp, log, ..., pow) runs lane by lane. A contraction
 * (a kernel with a reduction) computes a register tile of rows x (4 * cols)
 * outputs per step, every load shared between the copies that read the same
 * address (loads are memoised by the bytes of their address computation).
 * A contraction whose loads are contiguous along its reduction loop rather than
 * along the output (A B^T) keeps scalar outputs and runs four iterations of
 * that loop at once, summing the lanes after the loop. exp, tanh and erf of
 * f32x4 code are polynomials (no call per lane), and scalar code takes lane 0
 * of the same polynomials; log, sin, cos, sign and pow go lane by lane through
 * imported Math functions. Before rendering, index
 * arithmetic is simplified with the ranges of indices (./simplify-index.ts), so
 * reshapes do not divide in inner loops.
 *
 * The structure mirrors src/compile/gpujs/render.ts: exhaustive switches over
 * the IR's kinds, so a new kind fails to compile until it is handled here.
 * Each elementwise op's f32 and f32x4 code comes from ../kernel-ops.ts (the
 * polynomials from ./polynomials.ts, the imports from ./math-imports.ts); the
 * tile and lane analysis is ./tiling.ts.
 */
import type { BinaryOp, BufferInfo, Expr, IndexExpr, Kernel, Loop, Stmt, UnaryOp } from '../kernel-ir.js';
import { SUM_BLOCK, sumBlocking } from '../sum-blocks.js';
import { simplifyIndices } from './simplify-index.js';
import { mergeSplitAxes } from './merge-split-axes.js';
import { segmentsOf, type Segment } from './segments.js';
import { Code, Op, Simd, ValType, type DefinedFunc, type FuncType } from './encode.js';
import { binaryKernelOps, unaryKernelOps, type WasmScalar } from '../kernel-ops.js';
import { importIndex } from './math-imports.js';
import { LANES, coef, exprIndependent, laneCoef, loopSteps, reductionVectorises, outerLoopOf, tileOf, type Along, type OuterLoop, type Tile, type WasmRenderOptions } from './tiling.js';
import { numelOf, stridesOf } from '../../runtime/ndarray.js';

export type { OuterLoop, WasmRenderOptions } from './tiling.js';
import type { WasmEmitter } from './polynomials.js';
import { relaxedSimd } from './relaxed-simd.js';

export const voidType: FuncType = { params: [], results: [] };
/** A kernel function: (start, end) bounds of its outermost output loop (see outerLoopOf). */
export const kernelType: FuncType = { params: [ValType.i32, ValType.i32], results: [] };
/** Locals 0 and 1 of a kernel function: its parameters. */
const START = 0;
const END = 1;
const PARAMS = kernelType.params.length;

interface Ref {
  readonly local: number;
  /** A v128 local (four lanes) rather than an f32. */
  readonly vec: boolean;
}

/** How one copy of the kernel body sees its indices and earlier values. */
interface Ctx {
  /** Added to each thread axis (the copy's place in a register tile). */
  readonly shifts: readonly number[];
  /** Values bound by statements. */
  readonly refs: Map<number, Ref>;
}

/** A kernel rendered once per segment of one axis (./segments.ts). */
interface Segmented {
  readonly axis: number;
  readonly segments: readonly (Segment & { readonly kernel: Kernel })[];
}

/** Emits one kernel's function body; holds its locals, the buffer table and the load memo. */
class KernelRenderer implements WasmEmitter {
  readonly locals: ValType[] = [];
  code = new Code();
  private readonly thread: number[] = [];
  private readonly loops = new Map<number, number>();
  /** Memoised values by the bytes that compute them, one map per open loop body. */
  private readonly memo: Map<string, number>[] = [new Map()];
  /** The dimension lanes run along (the output's last axis, or the innermost loop of a reduction), or null in scalar code. */
  private along: Along = null;
  /** exp, tanh and erf by polynomials, in f32x4 and in scalar code (else through the imported Math functions). */
  polyMath = true;
  /** Whether reductions of scalar kernels may run four iterations of their innermost loop at once. */
  vectorReductions = false;
  /** Copies' shifts and lanes in loads' constant offsets (see address). */
  offsetShifts = true;
  /** f32x4 sums of products and polynomials by f32x4.relaxed_madd (./relaxed-simd.ts). */
  fma = false;

  constructor(
    private readonly buffers: ReadonlyMap<number, BufferInfo>,
    private readonly offsets: ReadonlyMap<number, number>,
  ) {}

  local(t: ValType): number {
    this.locals.push(t);
    return PARAMS + this.locals.length - 1;
  }

  /** Render into a scratch buffer and return its bytes (for memo keys). */
  capture(f: () => void): number[] {
    const saved = this.code;
    this.code = new Code();
    try {
      f();
      return this.code.bytes;
    } finally {
      this.code = saved;
    }
  }

  /** Emit `bytes` (which push one value of type t) once per loop body; later uses read a local. */
  memoised(key: string, t: ValType, bytes: readonly number[]): void {
    for (let i = this.memo.length - 1; i >= 0; i--) {
      const hit = this.memo[i]!.get(key);
      if (hit !== undefined) {
        this.code.get(hit);
        return;
      }
    }
    const l = this.local(t);
    this.code.append(bytes).tee(l);
    this.memo[this.memo.length - 1]!.set(key, l);
  }

  /** Pushes an i32: the index in lane `lane` of the copy `ctx`. */
  index(e: IndexExpr, ctx: Ctx, lane: number): void {
    const c = this.code;
    switch (e.kind) {
      case 'thread': {
        const shift = (ctx.shifts[e.axis] ?? 0) + (this.along?.kind === 'thread' && e.axis === this.along.id ? lane : 0);
        c.get(this.thread[e.axis]!);
        if (shift !== 0) c.i32(shift).op(Op.i32_add);
        return;
      }
      case 'loop': {
        const l = this.loops.get(e.id);
        if (l === undefined) throw new Error(`wasm render: loop ${e.id} read outside its nest`);
        c.get(l);
        if (lane !== 0 && this.along?.kind === 'loop' && this.along.id === e.id) c.i32(lane).op(Op.i32_add);
        return;
      }
      case 'int':
        c.i32(e.value);
        return;
      case 'iadd':
        this.index(e.a, ctx, lane);
        this.index(e.b, ctx, lane);
        c.op(Op.i32_add);
        return;
      case 'imul':
        this.index(e.a, ctx, lane);
        this.index(e.b, ctx, lane);
        c.op(Op.i32_mul);
        return;
      case 'idiv': {
        // Floor division (Math.floor(a / b), as the other renderers compute it).
        if (e.b.kind === 'int' && e.b.value > 0 && (e.b.value & (e.b.value - 1)) === 0) {
          this.index(e.a, ctx, lane);
          c.i32(Math.log2(e.b.value)).op(Op.i32_shr_s); // an arithmetic shift floors
          return;
        }
        const a = this.local(ValType.i32);
        const b = this.local(ValType.i32);
        const r = this.local(ValType.i32);
        this.index(e.a, ctx, lane);
        c.set(a);
        this.index(e.b, ctx, lane);
        c.set(b);
        c.get(a).get(b).op(Op.i32_div_s);
        c.get(a).get(b).op(Op.i32_rem_s).tee(r).i32(0).op(Op.i32_ne);
        c.get(r).get(b).op(Op.i32_xor).i32(0).op(Op.i32_lt_s, Op.i32_and, Op.i32_sub);
        return;
      }
      case 'imod':
        // JavaScript's %: the remainder takes the dividend's sign, as i32.rem_s does.
        this.index(e.a, ctx, lane);
        this.index(e.b, ctx, lane);
        c.op(Op.i32_rem_s);
        return;
      case 'clamp': {
        const t = this.local(ValType.i32);
        this.index(e.x, ctx, lane);
        c.tee(t).i32(e.lo).get(t).i32(e.lo).op(Op.i32_gt_s, Op.select);
        c.tee(t).i32(e.hi).get(t).i32(e.hi).op(Op.i32_lt_s, Op.select);
        return;
      }
      case 'fromValue':
        this.scalar(e.value, ctx, lane);
        c.op(Op.f32_floor).truncSat();
        return;
    }
  }

  /** Pushes the byte address (relative to the buffer's offset) of buffer[idx...]; returns the offset. */
  address(buffer: number, idx: readonly IndexExpr[], ctx: Ctx, lane: number): number {
    const info = this.buffers.get(buffer);
    const offset = this.offsets.get(buffer);
    if (!info || offset === undefined) throw new Error(`wasm render: unknown buffer ${buffer}`);
    if (idx.length !== info.sizes.length) throw new Error(`wasm render: buffer ${buffer} has rank ${info.sizes.length}, read with ${idx.length} indices`);
    const st = stridesOf(info.sizes);
    // A copy's shift and a lane's place, where they add to an index linearly, go into the load's
    // constant offset: the copies of a tile then compute one address and differ in offset only.
    const base: Ctx = { shifts: ctx.shifts.map(() => 0), refs: ctx.refs };
    let elements = 0;
    const c = this.code;
    let first = true;
    idx.forEach((e, d) => {
      if (e.kind === 'int' && e.value === 0) return;
      const shift = this.offsetShifts ? this.linearShift(e, ctx, lane) : null;
      if (shift !== null && shift >= 0) {
        elements += shift * st[d]!;
        this.index(e, base, 0);
      } else this.index(e, ctx, lane);
      if (st[d] !== 1) c.i32(st[d]!).op(Op.i32_mul);
      if (!first) c.op(Op.i32_add);
      first = false;
    });
    if (first) c.i32(0);
    else c.i32(2).op(Op.i32_shl);
    return offset + 4 * elements;
  }

  /**
   * How much an index of copy `ctx` in lane `lane` exceeds the same index of the tile's first
   * copy in lane 0, where the shifts add linearly (sums, products with constants); null where
   * a shifted counter sits inside a division, a modulo, a clamp or a value.
   */
  linearShift(e: IndexExpr, ctx: Ctx, lane: number): number | null {
    switch (e.kind) {
      case 'thread':
        return (ctx.shifts[e.axis] ?? 0) + (this.along?.kind === 'thread' && e.axis === this.along.id ? lane : 0);
      case 'loop':
        return this.along?.kind === 'loop' && this.along.id === e.id ? lane : 0;
      case 'int':
        return 0;
      case 'iadd': {
        const a = this.linearShift(e.a, ctx, lane);
        const b = this.linearShift(e.b, ctx, lane);
        return a === null || b === null ? null : a + b;
      }
      case 'imul': {
        const [k, x] = e.a.kind === 'int' ? [e.a.value, e.b] : e.b.kind === 'int' ? [e.b.value, e.a] : [null, e];
        if (k !== null) {
          const shift = this.linearShift(x, ctx, lane);
          return shift === null ? null : shift * k;
        }
        return this.linearShift(e.a, ctx, lane) === 0 && this.linearShift(e.b, ctx, lane) === 0 ? 0 : null;
      }
      case 'idiv':
      case 'imod':
        return this.linearShift(e.a, ctx, lane) === 0 && this.linearShift(e.b, ctx, lane) === 0 ? 0 : null;
      case 'clamp':
        return this.linearShift(e.x, ctx, lane) === 0 ? 0 : null;
      case 'fromValue':
        return null;
    }
  }

  /** Pushes an f32 load, memoised in the open loop body. */
  scalarLoad(buffer: number, idx: readonly IndexExpr[], ctx: Ctx, lane: number): void {
    let offset = 0;
    const bytes = this.capture(() => {
      offset = this.address(buffer, idx, ctx, lane);
      this.code.mem(Op.f32_load, 2, offset);
    });
    this.memoised(`f${bytes.join(',')}`, ValType.f32, bytes);
  }

  /** Pushes an f32: the value in lane `lane` of copy `ctx` (vector refs are read lane by lane). */
  scalar(e: Expr, ctx: Ctx, lane: number): void {
    const c = this.code;
    const sub = (x: Expr) => this.scalar(x, ctx, lane);
    switch (e.kind) {
      case 'literal':
        c.f32(e.value);
        return;
      case 'load':
        this.scalarLoad(e.buffer, e.index, ctx, lane);
        return;
      case 'unary':
        sub(e.x);
        this.scalarUnary(e.op);
        return;
      case 'binary':
        sub(e.a);
        sub(e.b);
        this.scalarBinary(e.op);
        return;
      case 'select':
        sub(e.a);
        sub(e.b);
        sub(e.cond);
        c.f32(0).op(Op.f32_ne, Op.select);
        return;
      case 'compare':
        this.index(e.a, ctx, lane);
        this.index(e.b, ctx, lane);
        c.op({ lt: Op.i32_lt_s, ge: Op.i32_ge_s, eq: Op.i32_eq }[e.op], Op.f32_convert_i32_s);
        return;
      case 'index':
        this.index(e.index, ctx, lane);
        c.op(Op.f32_convert_i32_s);
        return;
      case 'ref': {
        const r = ctx.refs.get(e.id);
        if (r === undefined) throw new Error(`wasm render: value ${e.id} read before it is bound`);
        c.get(r.local);
        if (r.vec) c.lane(Simd.f32x4_extract_lane, lane);
        return;
      }
    }
  }

  /** f32 -> f32 on the stack. */
  scalarUnary(op: UnaryOp): void {
    const f32x4 = unaryKernelOps[op].f32x4;
    if (f32x4?.polynomial && this.polyMath) {
      // Lane 0 of the f32x4 polynomial: a call into JavaScript per element costs far more than three idle lanes.
      f32x4.emit(this, () => this.code.simd(Simd.f32x4_splat));
      this.code.lane(Simd.f32x4_extract_lane, 0);
      return;
    }
    this.scalarOp(op, unaryKernelOps[op].f32);
  }

  /** f32, f32 -> f32 on the stack. */
  scalarBinary(op: BinaryOp): void {
    this.scalarOp(op, binaryKernelOps[op].f32);
  }

  private scalarOp(op: string, f32: WasmScalar): void {
    if ('import' in f32) this.code.call(importIndex(op));
    else f32.emit(this);
  }

  splat(value: number): void {
    const bytes = new Code().f32(value).simd(Simd.f32x4_splat).bytes;
    this.memoised(`s${bytes.join(',')}`, ValType.v128, bytes);
  }

  /** Pushes a v128 built lane by lane from scalar code. */
  lanes(f: (lane: number) => void): void {
    const c = this.code;
    c.f32(0).simd(Simd.f32x4_splat);
    for (let lane = 0; lane < LANES; lane++) {
      f(lane);
      c.lane(Simd.f32x4_replace_lane, lane);
    }
  }

  /** Pushes a v128: the values of four consecutive elements along the vectorised axis. */
  vector(e: Expr, ctx: Ctx): void {
    const c = this.code;
    const sub = (x: Expr) => this.vector(x, ctx);
    switch (e.kind) {
      case 'literal':
        this.splat(e.value);
        return;
      case 'load': {
        const info = this.buffers.get(e.buffer);
        if (!info) throw new Error(`wasm render: unknown buffer ${e.buffer}`);
        const st = stridesOf(info.sizes);
        const coefs = e.index.map((i) => laneCoef(i, this.along));
        const step = coefs.every((k) => k !== null) ? coefs.reduce<number>((s, k, d) => s + k! * st[d]!, 0) : null;
        if (step === 0) {
          // The same element in every lane: one load, splatted.
          let offset = 0;
          const bytes = this.capture(() => {
            offset = this.address(e.buffer, e.index, ctx, 0);
            this.code.mem(Op.f32_load, 2, offset).simd(Simd.f32x4_splat);
          });
          this.memoised(`vs${bytes.join(',')}`, ValType.v128, bytes);
        } else if (step === 1) {
          // Four consecutive elements: one v128.load.
          const bytes = this.capture(() => {
            const offset = this.address(e.buffer, e.index, ctx, 0);
            this.code.simdMem(Simd.v128_load, 2, offset);
          });
          this.memoised(`v${bytes.join(',')}`, ValType.v128, bytes);
        } else {
          this.lanes((lane) => this.scalarLoad(e.buffer, e.index, ctx, lane));
        }
        return;
      }
      case 'unary': {
        const f32x4 = unaryKernelOps[e.op].f32x4;
        if (f32x4 && (this.polyMath || !f32x4.polynomial)) {
          f32x4.emit(this, () => sub(e.x));
          return;
        }
        // No f32x4 form (or polynomials off): lane by lane.
        const t = this.local(ValType.v128);
        sub(e.x);
        c.set(t);
        c.get(t);
        for (let lane = 0; lane < LANES; lane++) {
          c.get(t).lane(Simd.f32x4_extract_lane, lane);
          this.scalarUnary(e.op);
          c.lane(Simd.f32x4_replace_lane, lane);
        }
        return;
      }
      case 'binary': {
        const f32x4 = binaryKernelOps[e.op].f32x4;
        if (f32x4) {
          sub(e.a);
          sub(e.b);
          f32x4(this);
        } else {
          const a = this.local(ValType.v128);
          const b = this.local(ValType.v128);
          sub(e.a);
          c.set(a);
          sub(e.b);
          c.set(b);
          c.get(a);
          for (let lane = 0; lane < LANES; lane++) {
            c.get(a).lane(Simd.f32x4_extract_lane, lane).get(b).lane(Simd.f32x4_extract_lane, lane);
            this.scalarBinary(e.op);
            c.lane(Simd.f32x4_replace_lane, lane);
          }
        }
        return;
      }
      case 'select':
        sub(e.a);
        sub(e.b);
        sub(e.cond);
        this.splat(0);
        c.simd(Simd.f32x4_ne).simd(Simd.v128_bitselect);
        return;
      case 'compare':
      case 'index':
        if (exprIndependent(e, this.along)) {
          this.scalar(e, ctx, 0);
          c.simd(Simd.f32x4_splat);
        } else {
          this.lanes((lane) => this.scalar(e, ctx, lane));
        }
        return;
      case 'ref': {
        const r = ctx.refs.get(e.id);
        if (r === undefined) throw new Error(`wasm render: value ${e.id} read before it is bound`);
        c.get(r.local);
        if (!r.vec) c.simd(Simd.f32x4_splat);
        return;
      }
    }
  }

  /** Pushes the value of copy `ctx`: a v128 in vector kernels, else an f32. */
  value(e: Expr, ctx: Ctx): void {
    if (this.along) this.vector(e, ctx);
    else this.scalar(e, ctx, 0);
  }

  get valueType(): ValType {
    return this.along ? ValType.v128 : ValType.f32;
  }

  stmts(stmts: readonly Stmt[], ctxs: readonly Ctx[]): void {
    for (const s of stmts) {
      switch (s.kind) {
        case 'let':
          for (const ctx of ctxs) {
            const l = this.local(this.valueType);
            this.value(s.value, ctx);
            this.code.set(l);
            ctx.refs.set(s.id, { local: l, vec: this.along !== null });
          }
          break;
        case 'reduce':
          this.reduce(s, ctxs);
          break;
      }
    }
  }

  /** counter = 0; do { body(); counter += step } while (counter < extent). Nothing when extent is 0. */
  forLoop(counter: number, extent: number, step: number, body: () => void, from = 0): void {
    if (extent <= from) return;
    const c = this.code;
    c.i32(from).set(counter).loop();
    this.memo.push(new Map());
    body();
    this.memo.pop();
    c.get(counter).i32(step).op(Op.i32_add).tee(counter).i32(extent).op(Op.i32_lt_s).brIf(0).end();
  }

  /** The same over [start, end) read from the function's parameters (clipped to [from, to) when given); nothing when the range is empty. */
  paramLoop(counter: number, step: number, body: () => void, clip?: { readonly from: number; readonly to: number }): void {
    const c = this.code;
    let lo = START;
    let hi = END;
    if (clip) {
      lo = this.local(ValType.i32);
      hi = this.local(ValType.i32);
      c.get(START).i32(clip.from).get(START).i32(clip.from).op(Op.i32_gt_s, Op.select).set(lo);
      c.get(END).i32(clip.to).get(END).i32(clip.to).op(Op.i32_lt_s, Op.select).set(hi);
    }
    c.block();
    c.get(lo).get(hi).op(Op.i32_ge_s).brIf(0);
    c.get(lo).set(counter).loop();
    this.memo.push(new Map());
    body();
    this.memo.pop();
    c.get(counter).i32(step).op(Op.i32_add).tee(counter).get(hi).op(Op.i32_lt_s).brIf(0).end();
    c.end();
  }

  reduce(s: Extract<Stmt, { kind: 'reduce' }>, ctxs: readonly Ctx[]): void {
    const last = s.loops[s.loops.length - 1]!;
    if (this.along === null && this.vectorReductions && reductionVectorises(s, this.buffers)) {
      this.vectorReduce(s, ctxs, last);
      return;
    }
    const c = this.code;
    const vec = this.along !== null;
    const accs = ctxs.map(() => this.local(this.valueType));
    const init = s.op === 'sum' ? 0 : -Infinity;
    const resetAccs = () => {
      for (const acc of accs) {
        c.f32(init);
        if (vec) c.simd(Simd.f32x4_splat);
        c.set(acc);
      }
    };
    const blocks = s.op === 'sum' ? this.sumBlocks(s.loops, 1, accs, vec, resetAccs) : undefined;
    if (!blocks) resetAccs();
    const nest = (k: number): void => {
      if (k === s.loops.length) {
        // Copies of the body see their own values bound inside the loop.
        const inner = ctxs.map((ctx) => ({ shifts: ctx.shifts, refs: new Map(ctx.refs) }));
        this.stmts(s.body, inner);
        inner.forEach((ctx, q) => {
          if (vec && s.op === 'sum' && this.accumulateProduct(s.value, ctx, accs[q]!)) return;
          c.get(accs[q]!);
          this.value(s.value, ctx);
          if (vec) c.simd(s.op === 'sum' ? Simd.f32x4_add : Simd.f32x4_max);
          else c.op(s.op === 'sum' ? Op.f32_add : Op.f32_max);
          c.set(accs[q]!);
        });
        return;
      }
      const loop = s.loops[k]!;
      const counter = this.local(ValType.i32);
      this.loops.set(loop.id, counter);
      if (blocks?.level === k) blocks.loop(counter, loop.extent, 1, () => nest(k + 1));
      else this.forLoop(counter, loop.extent, 1, () => nest(k + 1));
      this.loops.delete(loop.id);
    };
    nest(0);
    const results = blocks?.totals ?? accs;
    ctxs.forEach((ctx, q) => ctx.refs.set(s.id, { local: results[q]!, vec }));
  }

  /** With fma, acc += a * b as one f32x4.relaxed_madd when the value is a product; false (nothing emitted) otherwise. */
  private accumulateProduct(value: Expr, ctx: Ctx, acc: number): boolean {
    if (!this.fma || value.kind !== 'binary' || value.op !== 'mul') return false;
    this.vector(value.a, ctx);
    this.vector(value.b, ctx);
    this.code.get(acc).simd(Simd.f32x4_relaxed_madd).set(acc);
    return true;
  }

  /**
   * A long sum's loop nest cut into blocks (../sum-blocks.ts): `loop` runs the loop at `level`
   * block by block, restarting the partials `accs` at each block (`resetAccs`) and adding them
   * into Kahan-compensated `totals` after it. Undefined when the nest is one block.
   */
  sumBlocks(loops: readonly Loop[], step: number, accs: readonly number[], vec: boolean, resetAccs: () => void) {
    const blocking = sumBlocking(loops, SUM_BLOCK, step);
    if (!blocking) return undefined;
    const c = this.code;
    const t = vec ? ValType.v128 : ValType.f32;
    const zero = () => (vec ? c.f32(0).simd(Simd.f32x4_splat) : c.f32(0));
    const totals = accs.map(() => this.local(t));
    const comps = accs.map(() => this.local(t));
    for (const l of [...totals, ...comps]) zero().set(l);
    const y = this.local(t);
    const sum = this.local(t);
    const add = () => (vec ? c.simd(Simd.f32x4_add) : c.op(Op.f32_add));
    const sub = () => (vec ? c.simd(Simd.f32x4_sub) : c.op(Op.f32_sub));
    const loop = (counter: number, extent: number, stride: number, body: () => void): void => {
      const size = blocking.size;
      const end = this.local(ValType.i32);
      c.i32(0).set(counter).loop();
      resetAccs();
      if (extent % size === 0) c.get(counter).i32(size).op(Op.i32_add).set(end);
      else c.get(counter).i32(size).op(Op.i32_add).i32(extent).get(counter).i32(size).op(Op.i32_add).i32(extent).op(Op.i32_lt_s, Op.select).set(end);
      c.loop();
      this.memo.push(new Map());
      body();
      this.memo.pop();
      c.get(counter).i32(stride).op(Op.i32_add).tee(counter).get(end).op(Op.i32_lt_s).brIf(0).end();
      accs.forEach((acc, q) => {
        const total = totals[q]!;
        const comp = comps[q]!;
        c.get(acc).get(comp);
        sub();
        c.set(y).get(total).get(y);
        add();
        c.tee(sum).get(total);
        sub();
        c.get(y);
        sub();
        c.set(comp).get(sum).set(total);
      });
      c.get(counter).i32(extent).op(Op.i32_lt_s).brIf(0).end();
    };
    return { level: blocking.level, loop, totals };
  }

  /**
   * A reduction of scalar code whose innermost loop runs four iterations at once: four
   * partial results per copy (f32x4), combined across lanes after the loops.
   */
  vectorReduce(s: Extract<Stmt, { kind: 'reduce' }>, ctxs: readonly Ctx[], last: { readonly id: number; readonly extent: number }): void {
    const c = this.code;
    const sum = s.op === 'sum';
    const accs = ctxs.map(() => this.local(ValType.v128));
    const resetAccs = () => {
      for (const acc of accs) c.f32(sum ? 0 : -Infinity).simd(Simd.f32x4_splat).set(acc);
    };
    const blocks = sum ? this.sumBlocks(s.loops, LANES, accs, true, resetAccs) : undefined;
    if (!blocks) resetAccs();
    const nest = (k: number): void => {
      if (k === s.loops.length) {
        const inner = ctxs.map((ctx) => ({ shifts: ctx.shifts, refs: new Map(ctx.refs) }));
        this.stmts(s.body, inner);
        inner.forEach((ctx, q) => {
          if (sum && this.accumulateProduct(s.value, ctx, accs[q]!)) return;
          c.get(accs[q]!);
          this.vector(s.value, ctx);
          c.simd(sum ? Simd.f32x4_add : Simd.f32x4_max).set(accs[q]!);
        });
        return;
      }
      const loop = s.loops[k]!;
      const counter = this.local(ValType.i32);
      this.loops.set(loop.id, counter);
      const step = loop.id === last.id ? LANES : 1;
      if (loop.id === last.id) this.along = { kind: 'loop', id: loop.id };
      if (blocks?.level === k) blocks.loop(counter, loop.extent, step, () => nest(k + 1));
      else this.forLoop(counter, loop.extent, step, () => nest(k + 1));
      if (loop.id === last.id) this.along = null;
      this.loops.delete(loop.id);
    };
    nest(0);
    ctxs.forEach((ctx, q) => {
      const out = this.local(ValType.f32);
      const acc = (blocks?.totals ?? accs)[q]!;
      c.get(acc).lane(Simd.f32x4_extract_lane, 0);
      for (let lane = 1; lane < LANES; lane++) c.get(acc).lane(Simd.f32x4_extract_lane, lane).op(sum ? Op.f32_add : Op.f32_max);
      c.set(out);
      ctx.refs.set(s.id, { local: out, vec: false });
    });
  }

  /** The whole kernel: a loop nest over the output (tiles of rows x cols vectors when vectorised), storing each element. */
  /** With `segments`, the loop over one axis runs once per segment, each with its own (specialised) kernel body. */
  kernel(kernel: Kernel, tile: Tile, segments?: Segmented): void {
    const c = this.code;
    const outOffset = this.offsets.get(kernel.output);
    if (outOffset === undefined) throw new Error(`wasm render: no offset for output buffer ${kernel.output}`);
    if (numelOf(kernel.sizes) === 0) return;
    const r = kernel.sizes.length;
    this.along = tile.vector ? { kind: 'thread', id: r - 1 } : null;
    const width = tile.vector ? LANES : 1;
    const st = stridesOf(kernel.sizes);
    const steps = loopSteps(kernel.sizes, tile);
    const nest = (d: number, kernel: Kernel): void => {
      if (d === r) {
        const ctxs: Ctx[] = [];
        for (let q = 0; q < tile.rows; q++) {
          for (let v = 0; v < tile.cols; v++) {
            const shifts = kernel.sizes.map((_, a) => (a === r - 1 ? v * width : a === tile.rowAxis ? q : 0));
            ctxs.push({ shifts, refs: new Map() });
          }
        }
        this.stmts(kernel.body, ctxs);
        for (const ctx of ctxs) {
          // Output address of the copy's first element.
          let first = true;
          for (let a = 0; a < r; a++) {
            c.get(this.thread[a]!);
            if (ctx.shifts[a] !== 0) c.i32(ctx.shifts[a]!).op(Op.i32_add);
            if (st[a] !== 1) c.i32(st[a]!).op(Op.i32_mul);
            if (!first) c.op(Op.i32_add);
            first = false;
          }
          if (first) c.i32(0);
          else c.i32(2).op(Op.i32_shl);
          this.value(kernel.result, ctx);
          if (tile.vector) c.simdMem(Simd.v128_store, 2, outOffset);
          else c.mem(Op.f32_store, 2, outOffset);
        }
        return;
      }
      const counter = this.local(ValType.i32);
      this.thread[d] = counter;
      // The outermost loop runs over the range the caller gives (a thread's share of it).
      if (segments && d === segments.axis) {
        for (const seg of segments.segments) {
          if (d === 0) this.paramLoop(counter, steps[d]!, () => nest(d + 1, seg.kernel), { from: seg.start, to: seg.end });
          else this.forLoop(counter, seg.end, steps[d]!, () => nest(d + 1, seg.kernel), seg.start);
        }
      } else if (d === 0) this.paramLoop(counter, steps[d]!, () => nest(d + 1, kernel));
      else this.forLoop(counter, kernel.sizes[d]!, steps[d]!, () => nest(d + 1, kernel));
    };
    nest(0, kernel);
  }
}

/** One kernel as a wasm function (start, end) -> () over [start, end) of its outermost output loop, reading and writing buffers at the given byte offsets. */
export function renderKernelWasm(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>, offsets: ReadonlyMap<number, number>, options: WasmRenderOptions = {}): DefinedFunc & { readonly outer: OuterLoop } {
  const r = new KernelRenderer(buffers, offsets);
  r.vectorReductions = options.simd !== false && options.reductionLanes !== false;
  r.polyMath = options.polyMath !== false;
  r.offsetShifts = options.offsetShifts !== false;
  r.fma = options.simd !== false && options.fma !== false && relaxedSimd();
  const merged = (x: Kernel) => (options.mergeSplitAxes === false ? x : mergeSplitAxes(x, buffers));
  const k = merged(options.simplifyIndices === false ? kernel : simplifyIndices(kernel));
  const tile = tileOf(k, options, r.vectorReductions ? buffers : undefined);
  const cut = options.simplifyIndices === false ? null : segmentsOf(k, loopSteps(k.sizes, tile));
  const segmented = cut ? { axis: cut.axis, segments: cut.segments.map((s) => ({ ...s, kernel: merged(simplifyIndices(kernel, new Map([[cut.axis, [s.start, s.end - 1] as const]]))) })) } : undefined;
  r.kernel(k, tile, segmented);
  return { type: kernelType, locals: r.locals, code: r.code, export: kernel.name, outer: outerLoopOf(k, tile) };
}
