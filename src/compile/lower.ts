/**
 * Lowering: one kernel per materialised node. The kernel's value at an output
 * multi-index is built by walking the graph from the root, inlining every
 * node that is not materialised (reading buffers for those that are), with
 * each op's index mapping. Values are let-bound once per (node, index) in
 * the scope that computes them, so a node read twice at the same place is
 * computed once.
 */
import type { Tensor } from '../ir/tensor.js';
import { stridesOf } from '../runtime/ndarray.js';
import {
  iadd, idiv, imod, imul, int, indexKey,
  type BinaryOp, type BufferId, type Expr, type IndexExpr, type Kernel, type Loop, type Stmt, type UnaryOp,
} from './kernel-ir.js';

const unaryOps: ReadonlySet<string> = new Set<UnaryOp>(['neg', 'exp', 'log', 'sqrt', 'reciprocal', 'abs', 'sign', 'floor', 'sin', 'cos', 'tanh', 'erf']);
const binaryOps: ReadonlySet<string> = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'less', 'greater', 'equal']);

interface Scope {
  readonly stmts: Stmt[];
  readonly memo: Map<string, Expr>;
}

/** Flat row-major offset of a multi-index. */
function flatIndex(idx: readonly IndexExpr[], sizes: readonly number[]): IndexExpr {
  const strides = stridesOf(sizes);
  return idx.reduce<IndexExpr>((acc, e, d) => iadd(acc, imul(e, int(strides[d]!))), int(0));
}

function unflatIndex(flat: IndexExpr, sizes: readonly number[]): IndexExpr[] {
  const strides = stridesOf(sizes);
  return sizes.map((n, d) => (d === 0 ? idiv(flat, strides[d]!) : imod(idiv(flat, strides[d]!), n)));
}

const isTrivial = (e: Expr): boolean => e.kind === 'literal' || e.kind === 'ref' || e.kind === 'index' || e.kind === 'compare';

/** x[idx] of an input gathered by name from the output's multi-index. */
function byName(out: Tensor, input: Tensor, idx: readonly IndexExpr[]): IndexExpr[] {
  return input.axes.map((a) => idx[out.axes.indexOf(a)]!);
}

const and = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'mul', a, b });

export function lowerKernel(root: Tensor, name: string, bufferOf: (t: Tensor) => BufferId | undefined): Kernel {
  const scopes: Scope[] = [{ stmts: [], memo: new Map() }];
  const nodeIds = new Map<Tensor, number>();
  const inputs: BufferId[] = [];
  const ops: string[] = [];
  let nextId = 0;
  let nextLoop = 0;

  const top = () => scopes[scopes.length - 1]!;
  const idOf = (t: Tensor) => {
    if (!nodeIds.has(t)) nodeIds.set(t, nodeIds.size);
    return nodeIds.get(t)!;
  };
  const lookup = (key: string): Expr | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const hit = scopes[i]!.memo.get(key);
      if (hit) return hit;
    }
    return undefined;
  };
  const bind = (key: string, e: Expr): Expr => {
    if (isTrivial(e)) {
      top().memo.set(key, e);
      return e;
    }
    const id = nextId++;
    top().stmts.push({ kind: 'let', id, value: e });
    const ref: Expr = { kind: 'ref', id };
    top().memo.set(key, ref);
    return ref;
  };
  const load = (buffer: BufferId, index: readonly IndexExpr[]): Expr => {
    if (!inputs.includes(buffer)) inputs.push(buffer);
    return { kind: 'load', buffer, index };
  };

  /** A reduction over `loops`, with `body` giving the value folded per iteration. */
  const reduce = (op: 'sum' | 'max', extents: readonly number[], body: (loopIdx: IndexExpr[]) => Expr): Expr => {
    const loops: Loop[] = extents.map((extent) => ({ id: nextLoop++, extent }));
    scopes.push({ stmts: [], memo: new Map() });
    const value = body(loops.map((l) => ({ kind: 'loop', id: l.id })));
    const scope = scopes.pop()!;
    const id = nextId++;
    top().stmts.push({ kind: 'reduce', id, op, loops, body: scope.stmts, value });
    return { kind: 'ref', id };
  };

  const value = (node: Tensor, idx: readonly IndexExpr[]): Expr => {
    const buffer = node === root ? undefined : bufferOf(node);
    if (buffer !== undefined) return load(buffer, idx);
    const key = `${idOf(node)}@${idx.map(indexKey).join(',')}`;
    const hit = lookup(key);
    if (hit) return hit;
    if (!ops.includes(node.op)) ops.push(node.op);
    return bind(key, compute(node, idx));
  };

  const compute = (node: Tensor, idx: readonly IndexExpr[]): Expr => {
    const a = node.attrs;
    const [x, y] = node.inputs;
    if (unaryOps.has(node.op)) return { kind: 'unary', op: node.op as UnaryOp, x: value(x!, idx) };
    if (binaryOps.has(node.op)) return { kind: 'binary', op: node.op as BinaryOp, a: value(x!, idx), b: value(y!, idx) };
    switch (node.op) {
      case 'fill':
        return { kind: 'literal', value: Number(a['value']) };
      case 'iota':
        return { kind: 'index', index: idx[node.axes.indexOf(String(a['along']))]! };
      case 'identity':
      case 'stopGradient':
        return value(x!, idx);
      case 'select':
        return { kind: 'select', cond: value(x!, idx), a: value(y!, idx), b: value(node.inputs[2]!, idx) };
      case 'broadcast':
      case 'transpose':
        return value(x!, byName(node, x!, idx));
      case 'reshape': {
        const same = x!.sizes.length === node.sizes.length && x!.sizes.every((n, i) => n === node.sizes[i]);
        return value(x!, same ? idx : unflatIndex(flatIndex(idx, node.sizes), x!.sizes));
      }
      case 'slice': {
        const d = node.axes.indexOf(String(a['axis']));
        return value(x!, idx.map((e, i) => (i === d ? iadd(imul(e, int(Number(a['step']))), int(Number(a['start']))) : e)));
      }
      case 'pad': {
        const d = node.axes.indexOf(String(a['axis']));
        const s = Number(a['interior']) + 1;
        const n = x!.sizes[d]!;
        const j = iadd(idx[d]!, int(-Number(a['lo'])));
        let cond: Expr = and({ kind: 'compare', op: 'ge', a: j, b: int(0) }, { kind: 'compare', op: 'lt', a: j, b: int((n - 1) * s + 1) });
        if (s > 1) cond = and(cond, { kind: 'compare', op: 'eq', a: imod(j, s), b: int(0) });
        const inner = idx.map((e, i) => (i === d ? ({ kind: 'clamp', x: idiv(j, s), lo: 0, hi: n - 1 } as IndexExpr) : e));
        return { kind: 'select', cond, a: value(x!, inner), b: { kind: 'literal', value: Number(a['value']) } };
      }
      case 'concat': {
        const d = node.axes.indexOf(String(a['axis']));
        const parts = node.inputs.map((part, k) => ({ part, offset: node.inputs.slice(0, k).reduce((o, p) => o + p.sizes[d]!, 0) }));
        const read = (k: number) => {
          const { part, offset } = parts[k]!;
          const local: IndexExpr = { kind: 'clamp', x: iadd(idx[d]!, int(-offset)), lo: 0, hi: part.sizes[d]! - 1 };
          return value(part, idx.map((e, i) => (i === d ? local : e)));
        };
        let out = read(parts.length - 1);
        for (let k = parts.length - 2; k >= 0; k--) {
          const end = parts[k]!.offset + parts[k]!.part.sizes[d]!;
          out = { kind: 'select', cond: { kind: 'compare', op: 'lt', a: idx[d]!, b: int(end) }, a: read(k), b: out };
        }
        return out;
      }
      case 'sum':
      case 'max': {
        const reduced = (a['axes'] as readonly string[]);
        return reduce(node.op, reduced.map((r) => x!.sizes[x!.axes.indexOf(r)]!), (loop) =>
          value(x!, x!.axes.map((ax) => (reduced.includes(ax) ? loop[reduced.indexOf(ax)]! : idx[node.axes.indexOf(ax)]!))),
        );
      }
      case 'einsum': {
        const all = [...new Set(node.inputs.flatMap((t) => t.axes))];
        const contracted = all.filter((l) => !node.axes.includes(l));
        const sizeOf = (l: string) => {
          const owner = node.inputs.find((t) => t.axes.includes(l))!;
          return owner.sizes[owner.axes.indexOf(l)]!;
        };
        const indexFor = (loop: IndexExpr[]) => (l: string) => (contracted.includes(l) ? loop[contracted.indexOf(l)]! : idx[node.axes.indexOf(l)]!);
        const term = (loop: IndexExpr[]): Expr => {
          const at = indexFor(loop);
          const vals = node.inputs.map((t) => value(t, t.axes.map(at)));
          return vals.length === 1 ? vals[0]! : { kind: 'binary', op: 'mul', a: vals[0]!, b: vals[1]! };
        };
        return contracted.length === 0 ? term([]) : reduce('sum', contracted.map(sizeOf), term);
      }
      case 'gather': {
        const d = x!.axes.indexOf(String(a['axis']));
        const idxAxes = y!.axes;
        const at = value(y!, idxAxes.map((l) => idx[node.axes.indexOf(l)]!));
        const pick: IndexExpr = { kind: 'clamp', x: { kind: 'fromValue', value: at }, lo: 0, hi: x!.sizes[d]! - 1 };
        return value(x!, x!.axes.map((l, i) => (i === d ? pick : idx[node.axes.indexOf(l)]!)));
      }
      case 'scatterAdd': {
        const axis = String(a['axis']);
        const target = idx[node.axes.indexOf(axis)]!;
        const idxAxes = y!.axes;
        return reduce('sum', y!.sizes, (loop) => {
          const at = (l: string) => (idxAxes.includes(l) ? loop[idxAxes.indexOf(l)]! : idx[node.axes.indexOf(l)]!);
          const hit: Expr = { kind: 'compare', op: 'eq', a: { kind: 'fromValue', value: value(y!, idxAxes.map(at)) }, b: target };
          return { kind: 'binary', op: 'mul', a: hit, b: value(x!, x!.axes.map(at)) };
        });
      }
      case 'oneHot': {
        const r = node.rank - 1;
        const at = value(x!, idx.slice(0, r));
        return { kind: 'compare', op: 'eq', a: { kind: 'fromValue', value: at }, b: idx[r]! };
      }
      default:
        throw new Error(`compile: op ${node.op} has no lowering (node ${root.op} kernel ${name})`);
    }
  };

  const threadIdx: IndexExpr[] = root.axes.map((_, axis) => ({ kind: 'thread', axis }));
  const result = value(root, threadIdx);
  return { name, output: bufferOf(root)!, sizes: root.sizes, inputs, body: scopes[0]!.stmts, result, ops };
}
