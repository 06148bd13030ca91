import { strict as assert } from 'node:assert';
import { exprChildren, indexChildren, walkExpr, walkStmts } from '../../src/compile/ir-walk.js';
import { evalIndex, type Expr, type IndexExpr, type Stmt } from '../../src/compile/kernel-ir.js';

const t0: IndexExpr = { kind: 'thread', axis: 0 };
const l1: IndexExpr = { kind: 'loop', id: 1 };
const gathered: IndexExpr = { kind: 'fromValue', value: { kind: 'ref', id: 7 } };
const gather: IndexExpr = { kind: 'clamp', x: gathered, lo: 0, hi: 3 };
const cond: Expr = { kind: 'compare', op: 'lt', a: t0, b: { kind: 'int', value: 2 } };
const a: Expr = { kind: 'binary', op: 'add', a: { kind: 'load', buffer: 0, index: [{ kind: 'iadd', a: t0, b: l1 }, gather] }, b: { kind: 'literal', value: 1 } };
const b: Expr = { kind: 'unary', op: 'neg', x: { kind: 'index', index: t0 } };
const value: Expr = { kind: 'select', cond, a, b };

/** Every node a walk reaches, by kind, in the order visited. */
function visited(walk: (v: { expr: (e: Expr) => void; index: (e: IndexExpr) => void }) => void): string[] {
  const kinds: string[] = [];
  walk({ expr: (e) => kinds.push(e.kind), index: (e) => kinds.push(e.kind) });
  return kinds;
}

describe('compile: kernel IR traversal', () => {
  it('names the values and indices directly below a node, in field order', () => {
    assert.deepEqual(exprChildren(value), { exprs: [cond, a, b], indices: [] });
    assert.deepEqual(exprChildren({ kind: 'load', buffer: 0, index: [t0, l1] }), { exprs: [], indices: [t0, l1] });
    assert.deepEqual(indexChildren(gather), { exprs: [], indices: [gathered] });
    assert.deepEqual(indexChildren(gathered), { exprs: [{ kind: 'ref', id: 7 }], indices: [] });
    assert.deepEqual(indexChildren(t0), { exprs: [], indices: [] });
  });

  it('visits every value and index pre-order, through loads, comparisons and gathers', () => {
    assert.deepEqual(visited((v) => walkExpr(value, v)), ['select', 'compare', 'thread', 'int', 'binary', 'load', 'iadd', 'thread', 'loop', 'clamp', 'fromValue', 'ref', 'literal', 'unary', 'index', 'thread']);
  });

  it('walks statements in order, a reduction body before its folded value', () => {
    const stmts: Stmt[] = [
      { kind: 'let', id: 0, value: { kind: 'literal', value: 0 } },
      { kind: 'reduce', id: 1, op: 'sum', loops: [{ id: 1, extent: 4 }], body: [{ kind: 'let', id: 2, value: { kind: 'index', index: l1 } }], value: { kind: 'ref', id: 2 } },
    ];
    assert.deepEqual(visited((v) => walkStmts(stmts, v)), ['literal', 'index', 'loop', 'ref']);
  });

  it('evaluates indices with the IR integer semantics', () => {
    const at = { thread: () => -7, loop: () => 3 };
    assert.equal(evalIndex({ kind: 'idiv', a: t0, b: { kind: 'int', value: 2 } }, at), -4);
    assert.equal(evalIndex({ kind: 'imod', a: t0, b: { kind: 'int', value: 2 } }, at), -1);
    assert.equal(evalIndex({ kind: 'clamp', x: { kind: 'imul', a: l1, b: { kind: 'int', value: 5 } }, lo: 0, hi: 9 }, at), 9);
    assert.throws(() => evalIndex(l1, { thread: () => 0 }), /loop 1/);
    assert.throws(() => evalIndex(gather, at), /read from data/);
  });
});
