/**
 * Each op's lowering to the kernel IR: its value at an output multi-index,
 * from its inputs' values at the indices its index mapping gives (broadcast by
 * axis name, reshape by flat index, slice/pad/concat by offsets, gather
 * through a loaded index). op-rules.ts holds them by op name; lower.ts walks
 * the graph with them.
 */
import type { Tensor } from '../ir/tensor.js';
import { stridesOf } from '../runtime/ndarray.js';
import { iadd, idiv, imod, imul, int, type Expr, type IndexExpr } from './kernel-ir.js';

/** What a lowering may ask of the kernel being built. */
export interface LowerContext {
  /** The value of a node at an index: a load where it has a buffer, else its lowering, let-bound once per (node, index). */
  value(node: Tensor, idx: readonly IndexExpr[]): Expr;
  /** A reduction over loops of these extents, `body` giving the value folded per iteration. */
  reduce(op: 'sum' | 'max', extents: readonly number[], body: (loop: IndexExpr[]) => Expr): Expr;
}

/** An op's value at output index `idx`. */
export type Lowering = (node: Tensor, idx: readonly IndexExpr[], cx: LowerContext) => Expr;

/** Flat row-major offset of a multi-index. */
function flatIndex(idx: readonly IndexExpr[], sizes: readonly number[]): IndexExpr {
  const strides = stridesOf(sizes);
  return idx.reduce<IndexExpr>((acc, e, d) => iadd(acc, imul(e, int(strides[d]!))), int(0));
}

function unflatIndex(flat: IndexExpr, sizes: readonly number[]): IndexExpr[] {
  const strides = stridesOf(sizes);
  return sizes.map((n, d) => (d === 0 ? idiv(flat, strides[d]!) : imod(idiv(flat, strides[d]!), n)));
}

/** x[idx] of an input gathered by name from the output's multi-index. */
function byName(out: Tensor, input: Tensor, idx: readonly IndexExpr[]): IndexExpr[] {
  return input.axes.map((a) => idx[out.axes.indexOf(a)]!);
}

const and = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'mul', a, b });

/** The lowerings of the ops that are not plain unary or binary arithmetic. */
export const lowerings = {
  fill: (node) => ({ kind: 'literal', value: Number(node.attrs['value']) }),
  iota: (node, idx) => ({ kind: 'index', index: idx[node.axes.indexOf(String(node.attrs['along']))]! }),
  passThrough: (node, idx, cx) => cx.value(node.inputs[0]!, idx),
  select: (node, idx, cx) => {
    const [c, a, b] = node.inputs as [Tensor, Tensor, Tensor];
    return { kind: 'select', cond: cx.value(c, idx), a: cx.value(a, idx), b: cx.value(b, idx) };
  },
  byName: (node, idx, cx) => cx.value(node.inputs[0]!, byName(node, node.inputs[0]!, idx)),
  reshape: (node, idx, cx) => {
    const x = node.inputs[0]!;
    const same = x.sizes.length === node.sizes.length && x.sizes.every((n, i) => n === node.sizes[i]);
    return cx.value(x, same ? idx : unflatIndex(flatIndex(idx, node.sizes), x.sizes));
  },
  slice: (node, idx, cx) => {
    const a = node.attrs;
    const d = node.axes.indexOf(String(a['axis']));
    return cx.value(node.inputs[0]!, idx.map((e, i) => (i === d ? iadd(imul(e, int(Number(a['step']))), int(Number(a['start']))) : e)));
  },
  pad: (node, idx, cx) => {
    const a = node.attrs;
    const x = node.inputs[0]!;
    const d = node.axes.indexOf(String(a['axis']));
    const s = Number(a['interior']) + 1;
    const n = x.sizes[d]!;
    const j = iadd(idx[d]!, int(-Number(a['lo'])));
    let cond: Expr = and({ kind: 'compare', op: 'ge', a: j, b: int(0) }, { kind: 'compare', op: 'lt', a: j, b: int((n - 1) * s + 1) });
    if (s > 1) cond = and(cond, { kind: 'compare', op: 'eq', a: imod(j, s), b: int(0) });
    const inner = idx.map((e, i) => (i === d ? ({ kind: 'clamp', x: idiv(j, s), lo: 0, hi: n - 1 } as IndexExpr) : e));
    return { kind: 'select', cond, a: cx.value(x, inner), b: { kind: 'literal', value: Number(a['value']) } };
  },
  concat: (node, idx, cx) => {
    const d = node.axes.indexOf(String(node.attrs['axis']));
    const parts = node.inputs.map((part, k) => ({ part, offset: node.inputs.slice(0, k).reduce((o, p) => o + p.sizes[d]!, 0) }));
    const read = (k: number) => {
      const { part, offset } = parts[k]!;
      const local: IndexExpr = { kind: 'clamp', x: iadd(idx[d]!, int(-offset)), lo: 0, hi: part.sizes[d]! - 1 };
      return cx.value(part, idx.map((e, i) => (i === d ? local : e)));
    };
    let out = read(parts.length - 1);
    for (let k = parts.length - 2; k >= 0; k--) {
      const end = parts[k]!.offset + parts[k]!.part.sizes[d]!;
      out = { kind: 'select', cond: { kind: 'compare', op: 'lt', a: idx[d]!, b: int(end) }, a: read(k), b: out };
    }
    return out;
  },
  fold: (node, idx, cx) => {
    const x = node.inputs[0]!;
    const reduced = node.attrs['axes'] as readonly string[];
    return cx.reduce(node.op as 'sum' | 'max', reduced.map((r) => x.sizes[x.axes.indexOf(r)]!), (loop) =>
      cx.value(x, x.axes.map((ax) => (reduced.includes(ax) ? loop[reduced.indexOf(ax)]! : idx[node.axes.indexOf(ax)]!))),
    );
  },
  einsum: (node, idx, cx) => {
    const all = [...new Set(node.inputs.flatMap((t) => t.axes))];
    const contracted = all.filter((l) => !node.axes.includes(l));
    const sizeOf = (l: string) => {
      const owner = node.inputs.find((t) => t.axes.includes(l))!;
      return owner.sizes[owner.axes.indexOf(l)]!;
    };
    const indexFor = (loop: IndexExpr[]) => (l: string) => (contracted.includes(l) ? loop[contracted.indexOf(l)]! : idx[node.axes.indexOf(l)]!);
    const term = (loop: IndexExpr[]): Expr => {
      const at = indexFor(loop);
      const vals = node.inputs.map((t) => cx.value(t, t.axes.map(at)));
      return vals.length === 1 ? vals[0]! : { kind: 'binary', op: 'mul', a: vals[0]!, b: vals[1]! };
    };
    return contracted.length === 0 ? term([]) : cx.reduce('sum', contracted.map(sizeOf), term);
  },
  gather: (node, idx, cx) => {
    const [x, y] = node.inputs as [Tensor, Tensor];
    const d = x.axes.indexOf(String(node.attrs['axis']));
    const at = cx.value(y, y.axes.map((l) => idx[node.axes.indexOf(l)]!));
    const pick: IndexExpr = { kind: 'clamp', x: { kind: 'fromValue', value: at }, lo: 0, hi: x.sizes[d]! - 1 };
    return cx.value(x, x.axes.map((l, i) => (i === d ? pick : idx[node.axes.indexOf(l)]!)));
  },
  scatterAdd: (node, idx, cx) => {
    const [x, y] = node.inputs as [Tensor, Tensor];
    const target = idx[node.axes.indexOf(String(node.attrs['axis']))]!;
    const idxAxes = y.axes;
    return cx.reduce('sum', y.sizes, (loop) => {
      const at = (l: string) => (idxAxes.includes(l) ? loop[idxAxes.indexOf(l)]! : idx[node.axes.indexOf(l)]!);
      const hit: Expr = { kind: 'compare', op: 'eq', a: { kind: 'fromValue', value: cx.value(y, idxAxes.map(at)) }, b: target };
      return { kind: 'binary', op: 'mul', a: hit, b: cx.value(x, x.axes.map(at)) };
    });
  },
  oneHot: (node, idx, cx) => {
    const r = node.rank - 1;
    const at = cx.value(node.inputs[0]!, idx.slice(0, r));
    return { kind: 'compare', op: 'eq', a: { kind: 'fromValue', value: at }, b: idx[r]! };
  },
} satisfies Record<string, Lowering>;
