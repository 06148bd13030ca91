/**
 * The kernel IR every renderer (gpu.js, native wasm, WebGL2) reads. A kernel computes one output buffer;
 * each output element is evaluated independently from its multi-index (the
 * "threads"): a list of let-bound statements (some of them reductions with
 * nested loops) and a result expression. Index arithmetic is integral and
 * kept apart from value arithmetic, so a renderer can type them apart.
 *
 * Every renderer is an exhaustive table over these kinds: adding a kind fails
 * to compile until each renderer handles it. The unary and binary ops, and
 * their renderings, are the keys of kernel-ops.ts's tables.
 */
import type { BinaryKernelOp, UnaryKernelOp } from './kernel-ops.js';

/** The id of a buffer of a compiled program. */
export type BufferId = number;

/** An integer-valued index expression of the kernel language (thread and loop indices, constants, integer arithmetic, clamps). */
export type IndexExpr =
  | { readonly kind: 'thread'; readonly axis: number }
  | { readonly kind: 'loop'; readonly id: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'iadd'; readonly a: IndexExpr; readonly b: IndexExpr }
  | { readonly kind: 'imul'; readonly a: IndexExpr; readonly b: IndexExpr }
  | { readonly kind: 'idiv'; readonly a: IndexExpr; readonly b: IndexExpr }
  | { readonly kind: 'imod'; readonly a: IndexExpr; readonly b: IndexExpr }
  | { readonly kind: 'clamp'; readonly x: IndexExpr; readonly lo: number; readonly hi: number }
  /** An index read from data (gather): the value, truncated to an integer. */
  | { readonly kind: 'fromValue'; readonly value: Expr };

/** A unary elementwise operation of the kernel language (a key of kernel-ops.ts's table). */
export type UnaryOp = UnaryKernelOp;
/** A binary arithmetic or comparison operation of the kernel language (a key of kernel-ops.ts's table). */
export type BinaryOp = BinaryKernelOp;
/** A comparison of index values in the kernel language (less than, greater or equal, equal). */
export type CompareOp = 'lt' | 'ge' | 'eq';

/** A float-valued expression of the kernel language (loads, constants, unary and binary operations, selects). */
export type Expr =
  | { readonly kind: 'literal'; readonly value: number }
  /** buffer[index...], one index per axis of the buffer's tensor. */
  | { readonly kind: 'load'; readonly buffer: BufferId; readonly index: readonly IndexExpr[] }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly x: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  /** 1 when the integer comparison holds, else 0. */
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly a: IndexExpr; readonly b: IndexExpr }
  /** An integer index as a value (iota). */
  | { readonly kind: 'index'; readonly index: IndexExpr }
  /** A value bound earlier by a statement. */
  | { readonly kind: 'ref'; readonly id: number };

/** A loop of a kernel: its id and extent. */
export interface Loop {
  readonly id: number;
  readonly extent: number;
}

/** A statement of the kernel language (assignments, accumulating loops, conditionals). */
export type Stmt =
  | { readonly kind: 'let'; readonly id: number; readonly value: Expr }
  /** id = fold(op, init, body over the loops); body statements run per iteration, `value` is folded. */
  | { readonly kind: 'reduce'; readonly id: number; readonly op: 'sum' | 'max'; readonly loops: readonly Loop[]; readonly body: readonly Stmt[]; readonly value: Expr };

/** A buffer of a compiled program: its size and what it holds (an input, a constant, a kernel's output). */
export interface BufferInfo {
  readonly id: BufferId;
  readonly sizes: readonly number[];
  /** Where its values come from. */
  readonly source: 'input' | 'constant' | 'kernel';
  readonly label: string;
}

/** One kernel of a compiled program, in the kernel language: its output buffer, thread shape and body. */
export interface Kernel {
  readonly name: string;
  readonly output: BufferId;
  readonly sizes: readonly number[];
  /** Buffers read, in argument order. */
  readonly inputs: readonly BufferId[];
  readonly body: readonly Stmt[];
  readonly result: Expr;
  /** The graph ops fused into this kernel (for printing). */
  readonly ops: readonly string[];
}

/** An integer constant index. */
export const int = (value: number): IndexExpr => ({ kind: 'int', value });

/** Integer helpers that fold constants, so rendered indices stay short. */
export function iadd(a: IndexExpr, b: IndexExpr): IndexExpr {
  if (a.kind === 'int' && b.kind === 'int') return int(a.value + b.value);
  if (a.kind === 'int' && a.value === 0) return b;
  if (b.kind === 'int' && b.value === 0) return a;
  return { kind: 'iadd', a, b };
}

/** The product of two indices, folded where either is a constant 0 or 1. */
export function imul(a: IndexExpr, b: IndexExpr): IndexExpr {
  if (a.kind === 'int' && b.kind === 'int') return int(a.value * b.value);
  if ((a.kind === 'int' && a.value === 0) || (b.kind === 'int' && b.value === 0)) return int(0);
  if (a.kind === 'int' && a.value === 1) return b;
  if (b.kind === 'int' && b.value === 1) return a;
  return { kind: 'imul', a, b };
}

/** Integer division of an index by a constant, folded where it is known (a / 1 = a). */
export function idiv(a: IndexExpr, b: number): IndexExpr {
  if (b === 1) return a;
  if (a.kind === 'int') return int(Math.floor(a.value / b));
  return { kind: 'idiv', a, b: int(b) };
}

/** An index modulo a constant, folded where it is known (a mod 1 = 0). */
export function imod(a: IndexExpr, b: number): IndexExpr {
  if (b === 1) return int(0);
  if (a.kind === 'int') return int(a.value % b);
  return { kind: 'imod', a, b: int(b) };
}

/** A structural key for an index expression (memoisation of loads within a kernel). */
export function indexKey(e: IndexExpr): string {
  switch (e.kind) {
    case 'thread':
      return `t${e.axis}`;
    case 'loop':
      return `l${e.id}`;
    case 'int':
      return String(e.value);
    case 'iadd':
    case 'imul':
    case 'idiv':
    case 'imod':
      return `${e.kind}(${indexKey(e.a)},${indexKey(e.b)})`;
    case 'clamp':
      return `clamp(${indexKey(e.x)},${e.lo},${e.hi})`;
    case 'fromValue':
      return `v(${exprKey(e.value)})`;
  }
}

/** A structural key for an expression (memoisation of common subexpressions within a kernel). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return `#${e.value}`;
    case 'load':
      return `b${e.buffer}[${e.index.map(indexKey).join(',')}]`;
    case 'unary':
      return `${e.op}(${exprKey(e.x)})`;
    case 'binary':
      return `${e.op}(${exprKey(e.a)},${exprKey(e.b)})`;
    case 'select':
      return `sel(${exprKey(e.cond)},${exprKey(e.a)},${exprKey(e.b)})`;
    case 'compare':
      return `${e.op}(${indexKey(e.a)},${indexKey(e.b)})`;
    case 'index':
      return `i(${indexKey(e.index)})`;
    case 'ref':
      return `r${e.id}`;
  }
}

/**
 * The IR's integer semantics (idiv floors, imod is JavaScript's %, clamp is min(max(x, lo), hi))
 * of an index of thread indices and loop counters: those the index reads must be given.
 */
export function evalIndex(e: IndexExpr, at: { readonly thread: (axis: number) => number; readonly loop?: (id: number) => number }): number {
  const ev = (x: IndexExpr): number => evalIndex(x, at);
  switch (e.kind) {
    case 'thread':
      return at.thread(e.axis);
    case 'loop':
      if (!at.loop) throw new Error(`evalIndex: loop ${e.id} read where no loop counter is given`);
      return at.loop(e.id);
    case 'int':
      return e.value;
    case 'iadd':
      return ev(e.a) + ev(e.b);
    case 'imul':
      return ev(e.a) * ev(e.b);
    case 'idiv':
      return Math.floor(ev(e.a) / ev(e.b));
    case 'imod':
      return ev(e.a) % ev(e.b);
    case 'clamp':
      return Math.min(e.hi, Math.max(e.lo, ev(e.x)));
    case 'fromValue':
      throw new Error('evalIndex: an index read from data');
  }
}
