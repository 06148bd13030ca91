/**
 * Traversal of the kernel IR: the values and indices directly below a node, and a pre-order
 * walk built on them, so that an analysis states only the kinds it looks at. The children
 * functions are exhaustive switches: a new kind fails to compile here until its children are
 * named, and every walk then reaches below it.
 */
import type { Expr, IndexExpr, Stmt } from './kernel-ir.js';

/** The values and indices directly below a node, each in field order. */
export interface Children {
  readonly exprs: readonly Expr[];
  readonly indices: readonly IndexExpr[];
}

const none: Children = { exprs: [], indices: [] };
const values = (...exprs: Expr[]): Children => ({ exprs, indices: [] });
const indices = (...is: IndexExpr[]): Children => ({ exprs: [], indices: is });

export function exprChildren(e: Expr): Children {
  switch (e.kind) {
    case 'literal':
    case 'ref':
      return none;
    case 'load':
      return { exprs: [], indices: e.index };
    case 'unary':
      return values(e.x);
    case 'binary':
      return values(e.a, e.b);
    case 'select':
      return values(e.cond, e.a, e.b);
    case 'compare':
      return indices(e.a, e.b);
    case 'index':
      return indices(e.index);
  }
}

export function indexChildren(e: IndexExpr): Children {
  switch (e.kind) {
    case 'thread':
    case 'loop':
    case 'int':
      return none;
    case 'iadd':
    case 'imul':
    case 'idiv':
    case 'imod':
      return indices(e.a, e.b);
    case 'clamp':
      return indices(e.x);
    case 'fromValue':
      return values(e.value);
  }
}

/** Called on every node a walk reaches, before the nodes below it. */
export interface IrVisitor {
  readonly expr?: (e: Expr) => void;
  readonly index?: (e: IndexExpr) => void;
}

function walkChildren(c: Children, v: IrVisitor): void {
  for (const x of c.exprs) walkExpr(x, v);
  for (const i of c.indices) walkIndex(i, v);
}

/** Visits a value and every value and index below it (through loads, comparisons and gathers), pre-order. */
export function walkExpr(e: Expr, v: IrVisitor): void {
  v.expr?.(e);
  walkChildren(exprChildren(e), v);
}

/** Visits an index and every index and value below it, pre-order. */
export function walkIndex(e: IndexExpr, v: IrVisitor): void {
  v.index?.(e);
  walkChildren(indexChildren(e), v);
}

/** Walks the values of statements in order, a reduction's body before its folded value. */
export function walkStmts(stmts: readonly Stmt[], v: IrVisitor): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'let':
        walkExpr(s.value, v);
        break;
      case 'reduce':
        walkStmts(s.body, v);
        walkExpr(s.value, v);
        break;
      default:
        unhandled(s);
    }
  }
}

/** Exhaustiveness of a switch that returns nothing: fails to compile while a kind is left. */
function unhandled(x: never): never {
  throw new Error(`kernel IR: unhandled statement ${JSON.stringify(x)}`);
}
