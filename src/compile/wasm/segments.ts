/**
 * Segments of one output axis where a kernel's comparisons and clamps of that axis are
 * constant. A concatenation lowered as a sum of padded pieces (the gradient of stacked views:
 * `sel(0 <= t0 - 256 k < 256, piece_k[clamp(t0 - 256 k)], 0)` summed over k) computes every
 * piece for every row and keeps one; rendered once per segment, with the axis's range known,
 * each segment computes only its own piece (simplifyIndices with narrowed ranges).
 */
import { walkExpr, walkStmts, type IrVisitor } from '../ir-walk.js';
import { evalIndex, type IndexExpr, type Kernel } from '../kernel-ir.js';

export interface Segment {
  readonly start: number;
  readonly end: number;
}

/** At most this many segments (code size), over axes of at most this extent (the scan). */
const MAX_SEGMENTS = 16;
const MAX_EXTENT = 1 << 16;

type Probe = { readonly kind: 'compare'; readonly op: 'lt' | 'ge' | 'eq'; readonly a: IndexExpr; readonly b: IndexExpr } | { readonly kind: 'clamp'; readonly x: IndexExpr; readonly lo: number; readonly hi: number };

/** Comparisons and clamps of the kernel whose indices depend on thread `axis` alone. */
function probes(kernel: Kernel, axis: number): Probe[] {
  const out: Probe[] = [];
  const onlyAxis = (e: IndexExpr): boolean => {
    switch (e.kind) {
      case 'thread':
        return e.axis === axis;
      case 'int':
        return true;
      case 'loop':
      case 'fromValue':
        return false;
      case 'iadd':
      case 'imul':
      case 'idiv':
      case 'imod':
        return onlyAxis(e.a) && onlyAxis(e.b);
      case 'clamp':
        return onlyAxis(e.x);
    }
  };
  const mentions = (e: IndexExpr): boolean => JSON.stringify(e).includes(`"kind":"thread","axis":${axis}}`);
  const visitor: IrVisitor = {
    expr: (e) => {
      if (e.kind === 'compare' && onlyAxis(e.a) && onlyAxis(e.b) && (mentions(e.a) || mentions(e.b))) out.push(e);
    },
    index: (e) => {
      if (e.kind === 'clamp' && onlyAxis(e.x) && mentions(e.x)) out.push({ kind: 'clamp', x: e.x, lo: e.lo, hi: e.hi });
    },
  };
  walkStmts(kernel.body, visitor);
  walkExpr(kernel.result, visitor);
  return out;
}

/** The IR's integer semantics on thread `axis` = t (a probe depends on that axis alone). */
const evalAt = (e: IndexExpr, t: number): number => evalIndex(e, { thread: () => t });

function state(p: Probe, t: number): number {
  if (p.kind === 'clamp') {
    const x = evalAt(p.x, t);
    return x < p.lo ? 0 : x > p.hi ? 2 : 1;
  }
  const d = evalAt(p.a, t) - evalAt(p.b, t);
  return p.op === 'lt' ? Number(d < 0) : p.op === 'ge' ? Number(d >= 0) : Number(d === 0);
}

/**
 * The first axis along which the kernel's comparisons and clamps change value, cut where they
 * do, if every cut falls on a multiple of that axis's loop step; else null.
 */
export function segmentsOf(kernel: Kernel, steps: readonly number[]): { readonly axis: number; readonly segments: readonly Segment[] } | null {
  for (let axis = 0; axis < kernel.sizes.length; axis++) {
    const extent = kernel.sizes[axis]!;
    if (extent > MAX_EXTENT) continue;
    const ps = probes(kernel, axis);
    if (ps.length === 0) continue;
    const segments: Segment[] = [];
    let start = 0;
    let key = ps.map((p) => state(p, 0)).join();
    for (let t = 1; t < extent; t++) {
      const k = ps.map((p) => state(p, t)).join();
      if (k !== key) {
        segments.push({ start, end: t });
        start = t;
        key = k;
      }
    }
    segments.push({ start, end: extent });
    if (segments.length < 2 || segments.length > MAX_SEGMENTS) continue;
    if (segments.some((s) => s.start % steps[axis]! !== 0)) continue;
    return { axis, segments };
  }
  return null;
}
