/**
 * Index simplification with ranges, before rendering: a reshape is lowered as a
 * flat index unflattened by division and remainder, so a kernel that reads a
 * reshaped buffer would divide in its innermost loop, and (being non-affine)
 * would read four lanes with four scalar loads. Knowing the range of every
 * thread index and loop counter, idiv(a * S + b, S) is a when 0 <= b < S,
 * imod(a * S + b, S) is b, and a clamp whose argument stays in range is its
 * argument. The result computes the same integers; it is only shorter, and
 * affine where it can be.
 */
import { walkExpr } from '../ir-walk.js';
import { iadd, imul, int, type Expr, type IndexExpr, type Kernel, type Stmt } from '../kernel-ir.js';

interface Term {
  readonly atom: IndexExpr;
  coef: number;
}

/** Σ coef * atom + k, atoms keyed structurally. */
interface Affine {
  readonly terms: Map<string, Term>;
  k: number;
}

type Range = readonly [number, number] | null;

const key = (e: IndexExpr): string => JSON.stringify(e);

function constant(k: number): Affine {
  return { terms: new Map(), k };
}

function add(a: Affine, b: Affine, scale = 1): Affine {
  const terms = new Map<string, Term>();
  for (const [k, t] of a.terms) terms.set(k, { atom: t.atom, coef: t.coef });
  for (const [k, t] of b.terms) {
    const prev = terms.get(k);
    if (prev) prev.coef += scale * t.coef;
    else terms.set(k, { atom: t.atom, coef: scale * t.coef });
  }
  for (const [k, t] of terms) if (t.coef === 0) terms.delete(k);
  return { terms, k: a.k + scale * b.k };
}

function scaled(a: Affine, s: number): Affine {
  return add(constant(0), a, s);
}

class Simplifier {
  /** Lets whose value folded to a literal or another let: read in their place. */
  private readonly copies = new Map<number, Expr>();

  constructor(
    private readonly sizes: readonly number[],
    private readonly extents: ReadonlyMap<number, number>,
    /** Narrower ranges of some thread axes (a segment of the output, see ./segments.ts). */
    private readonly threadRanges: ReadonlyMap<number, readonly [number, number]> = new Map(),
  ) {}

  range(e: IndexExpr): Range {
    switch (e.kind) {
      case 'thread': {
        const narrowed = this.threadRanges.get(e.axis);
        if (narrowed) return narrowed;
        const n = this.sizes[e.axis];
        return n === undefined ? null : [0, n - 1];
      }
      case 'loop': {
        const n = this.extents.get(e.id);
        return n === undefined ? null : [0, n - 1];
      }
      case 'int':
        return [e.value, e.value];
      case 'clamp':
        return [e.lo, e.hi];
      case 'idiv': {
        const r = this.range(e.a);
        if (!r || e.b.kind !== 'int' || e.b.value <= 0) return null;
        return [Math.floor(r[0] / e.b.value), Math.floor(r[1] / e.b.value)];
      }
      case 'imod': {
        const r = this.range(e.a);
        if (!r || e.b.kind !== 'int' || e.b.value <= 0 || r[0] < 0) return null;
        return r[1] < e.b.value ? r : [0, e.b.value - 1];
      }
      case 'iadd': {
        const a = this.range(e.a);
        const b = this.range(e.b);
        return a && b ? [a[0] + b[0], a[1] + b[1]] : null;
      }
      case 'imul': {
        const a = this.range(e.a);
        const b = this.range(e.b);
        if (!a || !b) return null;
        const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
        return [Math.min(...p), Math.max(...p)];
      }
      case 'fromValue':
        return null;
    }
  }

  affineRange(a: Affine): Range {
    let lo = a.k;
    let hi = a.k;
    for (const t of a.terms.values()) {
      const r = this.range(t.atom);
      if (!r) return null;
      lo += Math.min(t.coef * r[0], t.coef * r[1]);
      hi += Math.max(t.coef * r[0], t.coef * r[1]);
    }
    return [lo, hi];
  }

  build(a: Affine): IndexExpr {
    let e: IndexExpr = int(0);
    for (const t of a.terms.values()) e = iadd(e, imul(t.atom, int(t.coef)));
    return iadd(e, int(a.k));
  }

  atom(e: IndexExpr): Affine {
    return { terms: new Map([[key(e), { atom: e, coef: 1 }]]), k: 0 };
  }

  /**
   * Split a into high (coefficients multiples of d) and low. When low stays within one multiple
   * of d, divide exactly. Otherwise, when there is a high part, divide low alone:
   * floor((h + l) / d) = h / d + floor(l / d), and (h + l) % d = l % d for l >= 0 (a flat index
   * t0 * 9408 + t1 * 192 + l0 divided by 64 becomes t0 * 147 + t1 * 3 + floor(l0 / 64)).
   */
  divmod(a: Affine, d: number): { q: Affine; r: Affine | null } | null {
    const high = constant(0);
    const low = constant(a.k);
    for (const [k, t] of a.terms) (t.coef % d === 0 ? high : low).terms.set(k, { atom: t.atom, coef: t.coef });
    const r = this.affineRange(low);
    if (!r) return null;
    const m = Math.floor(r[0] / d);
    const q = constant(0);
    for (const [k, t] of high.terms) q.terms.set(k, { atom: t.atom, coef: t.coef / d });
    if (Math.floor(r[1] / d) === m) return { q: add(q, constant(m)), r: add(low, constant(m * d), -1) };
    const split = this.splitLow(low, d);
    if (split) return { q: add(q, split.q), r: high.terms.size === 0 || split.r ? split.r : null };
    if (high.terms.size === 0) return null;
    const l = this.build(low);
    return { q: add(q, this.atom({ kind: 'idiv', a: l, b: int(d) })), r: r[0] >= 0 ? this.atom({ kind: 'imod', a: l, b: int(d) }) : null };
  }

  /**
   * low = g X + R with g dividing d and 0 <= R < g: floor(low / d) = floor(X / (d / g)), and
   * low % d = g (X % (d / g)) + R when X >= 0 (16 l1 + t1 with t1 < 16, divided by 112, is
   * floor(l1 / 7): no longer depends on t1).
   */
  splitLow(low: Affine, d: number): { q: Affine; r: Affine | null } | null {
    for (const t of low.terms.values()) {
      const g = Math.abs(t.coef);
      if (g <= 1 || d % g !== 0 || g === d) continue;
      const p = constant(0);
      const rest = constant(low.k);
      for (const [k, u] of low.terms) (u.coef % g === 0 ? p : rest).terms.set(k, { atom: u.atom, coef: u.coef });
      const rr = this.affineRange(rest);
      if (!rr || rr[0] < 0 || rr[1] >= g) continue;
      const x = scaled(p, 1 / g);
      const xr = this.affineRange(x);
      const inner = this.build(x);
      const q = this.affine({ kind: 'idiv', a: inner, b: int(d / g) });
      const r = xr && xr[0] >= 0 ? add(scaled(this.affine({ kind: 'imod', a: inner, b: int(d / g) }), g), rest) : null;
      return { q, r };
    }
    return null;
  }

  affine(e: IndexExpr): Affine {
    switch (e.kind) {
      case 'thread':
      case 'loop':
        return this.atom(e);
      case 'int':
        return constant(e.value);
      case 'iadd':
        return add(this.affine(e.a), this.affine(e.b));
      case 'imul': {
        const a = this.affine(e.a);
        const b = this.affine(e.b);
        if (a.terms.size === 0) return scaled(b, a.k);
        if (b.terms.size === 0) return scaled(a, b.k);
        return this.atom({ kind: 'imul', a: this.build(a), b: this.build(b) });
      }
      case 'idiv':
      case 'imod': {
        const a = this.affine(e.a);
        const b = this.affine(e.b);
        // idiv floors; imod is JavaScript's % (the dividend's sign), equal to the floored remainder only for a >= 0.
        const nonNegative = (this.affineRange(a)?.[0] ?? -1) >= 0;
        if (b.terms.size === 0 && b.k > 0 && (e.kind === 'idiv' || nonNegative)) {
          const qr = this.divmod(a, b.k);
          if (qr && e.kind === 'idiv') return qr.q;
          if (qr?.r) return qr.r;
        }
        return this.atom({ kind: e.kind, a: this.build(a), b: this.build(b) });
      }
      case 'clamp': {
        const x = this.affine(e.x);
        const r = this.affineRange(x);
        if (r && r[0] >= e.lo && r[1] <= e.hi) return x;
        if (r && r[1] <= e.lo) return constant(e.lo);
        if (r && r[0] >= e.hi) return constant(e.hi);
        return this.atom({ kind: 'clamp', x: this.build(x), lo: e.lo, hi: e.hi });
      }
      case 'fromValue':
        return this.atom({ kind: 'fromValue', value: this.expr(e.value) });
    }
  }

  index(e: IndexExpr): IndexExpr {
    return this.build(this.affine(e));
  }

  /** A comparison the ranges decide (1 or 0), or null. */
  decide(op: 'lt' | 'ge' | 'eq', a: IndexExpr, b: IndexExpr): number | null {
    const r = this.affineRange(add(this.affine(a), this.affine(b), -1));
    if (!r) return null;
    switch (op) {
      case 'lt':
        return r[1] < 0 ? 1 : r[0] >= 0 ? 0 : null;
      case 'ge':
        return r[0] >= 0 ? 1 : r[1] < 0 ? 0 : null;
      case 'eq':
        return r[0] === 0 && r[1] === 0 ? 1 : r[0] > 0 || r[1] < 0 ? 0 : null;
    }
  }

  expr(e: Expr): Expr {
    switch (e.kind) {
      case 'literal':
        return e;
      case 'ref':
        return this.copies.get(e.id) ?? e;
      case 'load':
        return { kind: 'load', buffer: e.buffer, index: e.index.map((i) => this.index(i)) };
      case 'unary':
        return { kind: 'unary', op: e.op, x: this.expr(e.x) };
      case 'binary': {
        const a = this.expr(e.a);
        const b = this.expr(e.b);
        // Masks (products of decided comparisons) and a masked-out term added to another.
        if (this.threadRanges.size > 0) {
          if (e.op === 'mul' && a.kind === 'literal' && b.kind === 'literal') return { kind: 'literal', value: a.value * b.value };
          if (e.op === 'add' && a.kind === 'literal' && a.value === 0) return b;
          if (e.op === 'add' && b.kind === 'literal' && b.value === 0) return a;
        }
        return { kind: 'binary', op: e.op, a, b };
      }
      case 'select': {
        const cond = this.expr(e.cond);
        if (cond.kind === 'literal') return this.expr(cond.value !== 0 ? e.a : e.b);
        return { kind: 'select', cond, a: this.expr(e.a), b: this.expr(e.b) };
      }
      case 'compare': {
        const known = this.decide(e.op, e.a, e.b);
        if (known !== null && this.threadRanges.size > 0) return { kind: 'literal', value: known };
        return { kind: 'compare', op: e.op, a: this.index(e.a), b: this.index(e.b) };
      }
      case 'index':
        return { kind: 'index', index: this.index(e.index) };
    }
  }

  stmts(stmts: readonly Stmt[]): Stmt[] {
    return stmts.map((s): Stmt => {
      switch (s.kind) {
        case 'let': {
          const value = this.expr(s.value);
          if (this.threadRanges.size > 0 && (value.kind === 'literal' || value.kind === 'ref')) this.copies.set(s.id, value);
          return { kind: 'let', id: s.id, value };
        }
        case 'reduce':
          return { kind: 'reduce', id: s.id, op: s.op, loops: s.loops, body: this.stmts(s.body), value: this.expr(s.value) };
      }
    });
  }
}

function loopExtents(stmts: readonly Stmt[], out: Map<number, number>): Map<number, number> {
  for (const s of stmts) {
    if (s.kind !== 'reduce') continue;
    for (const l of s.loops) out.set(l.id, l.extent);
    loopExtents(s.body, out);
  }
  return out;
}

/**
 * The kernel with every index simplified using the ranges of its thread indices and loop
 * counters. With narrower ranges for some thread axes (one segment of the output), the
 * comparisons those ranges decide become constants, selects on them their branch, masked-out
 * terms of sums disappear, and so do the lets no longer read.
 */
export function simplifyIndices(kernel: Kernel, threadRanges?: ReadonlyMap<number, readonly [number, number]>): Kernel {
  const s = new Simplifier(kernel.sizes, loopExtents(kernel.body, new Map()), threadRanges);
  const simplified = { ...kernel, body: s.stmts(kernel.body), result: s.expr(kernel.result) };
  return threadRanges && threadRanges.size > 0 ? dropUnusedLets(simplified) : simplified;
}

/** Adds the ids of the lets a value reads (also through its indices) to `out`. */
function refsOf(e: Expr, out: Set<number>): void {
  walkExpr(e, {
    expr: (x) => {
      if (x.kind === 'ref') out.add(x.id);
    },
  });
}

/** Lets nothing reads any more, dropped (statements are walked backwards from the result). */
function dropUnusedLets(kernel: Kernel): Kernel {
  const live = new Set<number>();
  refsOf(kernel.result, live);
  const walk = (stmts: readonly Stmt[]): Stmt[] => {
    const kept: Stmt[] = [];
    for (let i = stmts.length - 1; i >= 0; i--) {
      const st = stmts[i]!;
      if (st.kind === 'let') {
        if (!live.has(st.id)) continue;
        refsOf(st.value, live);
        kept.push(st);
      } else {
        refsOf(st.value, live);
        const body = walk(st.body);
        kept.push({ ...st, body });
      }
    }
    return kept.reverse();
  };
  return { ...kernel, body: walk(kernel.body) };
}
