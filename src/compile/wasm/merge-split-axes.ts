/**
 * Axes a reshape split, read as one, for the native renderer's flat addresses.
 * A reshape of [.., 64] into [.., 4, 16] reads buffer[.., x / 16, x % 16]; the
 * address that pair contributes, (x / 16) * 16 * s + (x % 16) * s, is x * s.
 * So the load may read buffer[.., 0, x] instead: the same element, through an
 * index that stays affine in x, so that four lanes along x are one v128.load
 * and a register tile's copies differ in their loads' offsets only. Chains
 * merge too: [x / 64, (x / 16) % 4, x % 16] of [3, 4, 16] is [0, 0, x].
 *
 * Only for flat, row-major addressing: an index may then exceed its own axis's
 * extent (x above 16 at the last axis), which the per-axis renderers (gpu.js's
 * [z][y][x] arrays) would not read the same way.
 */
import type { BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';

const same = (a: IndexExpr, b: IndexExpr): boolean => JSON.stringify(a) === JSON.stringify(b);
const isInt = (e: IndexExpr, value: number): boolean => e.kind === 'int' && e.value === value;
const zero: IndexExpr = { kind: 'int', value: 0 };

/**
 * `x` when `carrier` is x % extent and `outer` is x / extent; x % (extent * m) when `outer` is
 * (x / extent) % m; else null.
 */
function mergedPair(outer: IndexExpr, carrier: IndexExpr, extent: number, m: number): IndexExpr | null {
  if (carrier.kind !== 'imod' || !isInt(carrier.b, extent)) return null;
  const x = carrier.a;
  if (outer.kind === 'idiv' && isInt(outer.b, extent) && same(outer.a, x)) return x;
  if (outer.kind === 'imod' && isInt(outer.b, m) && outer.a.kind === 'idiv' && isInt(outer.a.b, extent) && same(outer.a.a, x)) {
    return { kind: 'imod', a: x, b: { kind: 'int', value: extent * m } };
  }
  return null;
}

/** A load's index with every run of split axes merged into its innermost axis (the others read 0). */
export function mergedIndex(index: readonly IndexExpr[], sizes: readonly number[]): IndexExpr[] {
  const out = [...index];
  for (let p = out.length - 1; p > 0; p--) {
    let carrier = out[p]!;
    let extent = sizes[p]!;
    let d = p - 1;
    for (; d >= 0; d--) {
      const merged = mergedPair(out[d]!, carrier, extent, sizes[d]!);
      if (merged === null) break;
      carrier = merged;
      extent *= sizes[d]!;
      out[d] = zero;
    }
    out[p] = carrier;
    p = d + 1;
  }
  return out;
}

function indexExpr(e: IndexExpr, buffers: ReadonlyMap<number, BufferInfo>): IndexExpr {
  switch (e.kind) {
    case 'iadd':
    case 'imul':
    case 'idiv':
    case 'imod':
      return { kind: e.kind, a: indexExpr(e.a, buffers), b: indexExpr(e.b, buffers) };
    case 'clamp':
      return { ...e, x: indexExpr(e.x, buffers) };
    case 'fromValue':
      return { kind: 'fromValue', value: expr(e.value, buffers) };
    default:
      return e;
  }
}

function expr(e: Expr, buffers: ReadonlyMap<number, BufferInfo>): Expr {
  switch (e.kind) {
    case 'load': {
      const sizes = buffers.get(e.buffer)?.sizes;
      const index = e.index.map((i) => indexExpr(i, buffers));
      return { kind: 'load', buffer: e.buffer, index: sizes === undefined ? index : mergedIndex(index, sizes) };
    }
    case 'unary':
      return { kind: 'unary', op: e.op, x: expr(e.x, buffers) };
    case 'binary':
      return { kind: 'binary', op: e.op, a: expr(e.a, buffers), b: expr(e.b, buffers) };
    case 'select':
      return { kind: 'select', cond: expr(e.cond, buffers), a: expr(e.a, buffers), b: expr(e.b, buffers) };
    case 'compare':
      return { kind: 'compare', op: e.op, a: indexExpr(e.a, buffers), b: indexExpr(e.b, buffers) };
    case 'index':
      return { kind: 'index', index: indexExpr(e.index, buffers) };
    case 'literal':
    case 'ref':
      return e;
  }
}

function stmts(list: readonly Stmt[], buffers: ReadonlyMap<number, BufferInfo>): Stmt[] {
  return list.map((s): Stmt => (s.kind === 'let' ? { kind: 'let', id: s.id, value: expr(s.value, buffers) } : { ...s, body: stmts(s.body, buffers), value: expr(s.value, buffers) }));
}

/** The kernel with every load's split axes merged (see the file's comment). */
export function mergeSplitAxes(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): Kernel {
  return { ...kernel, body: stmts(kernel.body, buffers), result: expr(kernel.result, buffers) };
}
