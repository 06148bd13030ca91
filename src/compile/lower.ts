/**
 * Lowering: one kernel per materialised node. The kernel's value at an output
 * multi-index is built by walking the graph from the root, inlining every
 * node that is not materialised (reading buffers for those that are), with
 * each op's index mapping. Values are let-bound once per (node, index) in
 * the scope that computes them, so a node read twice at the same place is
 * computed once.
 */
import type { Tensor } from '../ir/tensor.js';
import { indexKey, type BufferId, type Expr, type IndexExpr, type Kernel, type Loop, type Stmt } from './kernel-ir.js';
import { opRule } from './op-rules.js';
import type { LowerContext } from './lowerings.js';

interface Scope {
  readonly stmts: Stmt[];
  readonly memo: Map<string, Expr>;
}

const isTrivial = (e: Expr): boolean => e.kind === 'literal' || e.kind === 'ref' || e.kind === 'index' || e.kind === 'compare';

/** One kernel computing `root` at every index of its output, reading `bufferOf` for every materialised node. */
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

  const cx: LowerContext = { value, reduce };
  const compute = (node: Tensor, idx: readonly IndexExpr[]): Expr => {
    const lower = opRule(node.op).lower;
    if (lower === undefined) throw new Error(`compile: op ${node.op} has no lowering (node ${root.op} kernel ${name})`);
    return lower(node, idx, cx);
  };

  const threadIdx: IndexExpr[] = root.axes.map((_, axis) => ({ kind: 'thread', axis }));
  const result = value(root, threadIdx);
  return { name, output: bufferOf(root)!, sizes: root.sizes, inputs, body: scopes[0]!.stmts, result, ops };
}
