/**
 * The gpu.js renderer: kernel IR to the source of one gpu.js kernel, with
 * every size baked in. Buffers keep the layout gpu.js gives a kernel output:
 * the last axis is x, the one before it y, and all leading axes flattened
 * into z, so a buffer is read as b[z][y][x] whoever wrote it.
 *
 * Two kernel shapes that gpu.js runs well (measured in docs/performance.md):
 * innermost reduction loops are unrolled by four, and a contraction whose
 * output leaves the program may compute four rows per cell (an Array(4)
 * return), sharing every load that does not depend on the row. Within a
 * block, a value rendered twice is computed once.
 */
import { binaryKernelOps, unaryKernelOps } from '../kernel-ops.js';
import type { BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';
import { SUM_BLOCK, kahanLines, sumBlocking } from '../sum-blocks.js';
import { SourceBlock } from '../source-block.js';
import { numelOf } from '../../runtime/ndarray.js';

/** gpu.js output dimensions [x, y, z] of a tensor with these sizes (rows packed by `pack`). */
export function gpujsDims(sizes: readonly number[], pack = 1): number[] {
  const r = sizes.length;
  if (r === 0) return [1];
  if (r === 1) return [sizes[0]!];
  const rows = sizes[r - 2]! / pack;
  if (r === 2) return [sizes[1]!, rows];
  return [sizes[r - 1]!, rows, numelOf(sizes.slice(0, r - 2))];
}

/** Rows computed per cell when a contraction kernel is packed. */
export const PACK = 4;
const UNROLL = 4;

function literal(v: number): string {
  if (Number.isNaN(v)) return '(0.0 / 0.0)';
  if (v === Infinity) return '3.4e38';
  if (v === -Infinity) return '(-3.4e38)';
  const text = Number.isInteger(v) ? v.toFixed(1) : String(v);
  return v < 0 ? `(${text})` : text;
}

/** How one copy of the kernel body sees its indices and earlier values. */
interface Ctx {
  readonly thread: readonly string[];
  readonly loops: ReadonlyMap<number, string>;
  readonly names: Map<number, string>;
}

const isName = (s: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) || /^\(?-?[0-9.e+-]+\)?$/.test(s);

/** Renders one kernel; holds the per-kernel name counter and the buffer table. */
class KernelRenderer {
  private counter = 0;
  constructor(private readonly buffers: ReadonlyMap<number, BufferInfo>) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  index(e: IndexExpr, ctx: Ctx): string {
    switch (e.kind) {
      case 'thread':
        return ctx.thread[e.axis]!;
      case 'loop':
        return ctx.loops.get(e.id)!;
      case 'int':
        return e.value < 0 ? `(${e.value})` : String(e.value);
      case 'iadd':
        return `(${this.index(e.a, ctx)} + ${this.index(e.b, ctx)})`;
      case 'imul':
        return `(${this.index(e.a, ctx)} * ${this.index(e.b, ctx)})`;
      case 'idiv':
        return `Math.floor(${this.index(e.a, ctx)} / ${this.index(e.b, ctx)})`;
      case 'imod':
        return `(${this.index(e.a, ctx)} % ${this.index(e.b, ctx)})`;
      case 'clamp': {
        // min/max through abs: GLSL ES 1.0 (headlessgl) has no integer min/max and
        // gpu.js types index literals as integers there; this form is exact on integers.
        const x = this.index(e.x, ctx);
        const lo = `((${x} + ${e.lo} + Math.abs(${x} - ${e.lo})) * 0.5)`;
        return `((${lo} + ${e.hi} - Math.abs(${lo} - ${e.hi})) * 0.5)`;
      }
      case 'fromValue':
        return `Math.floor(${this.expr(e.value, ctx)})`;
    }
  }

  /** b[z][y][x] for a buffer of the given sizes read at a multi-index. */
  access(buffer: number, idx: readonly IndexExpr[], ctx: Ctx): string {
    const info = this.buffers.get(buffer);
    if (!info) throw new Error(`render: unknown buffer ${buffer}`);
    const sizes = info.sizes;
    const r = sizes.length;
    const name = `b${buffer}`;
    if (r === 0) return `${name}[0]`;
    if (r <= 3) return `${name}${idx.map((i) => `[${this.index(i, ctx)}]`).join('')}`;
    let lead = this.index(idx[0]!, ctx);
    for (let d = 1; d < r - 2; d++) lead = `(${lead} * ${sizes[d]} + ${this.index(idx[d]!, ctx)})`;
    return `${name}[${lead}][${this.index(idx[r - 2]!, ctx)}][${this.index(idx[r - 1]!, ctx)}]`;
  }

  /** Render a value; with a block, every load is bound there once (shared by all copies of the body). */
  expr(e: Expr, ctx: Ctx, block?: SourceBlock): string {
    const sub = (x: Expr) => this.expr(x, ctx, block);
    switch (e.kind) {
      case 'literal':
        return literal(e.value);
      case 'load': {
        const access = this.access(e.buffer, e.index, ctx);
        return block ? this.bind(block, access) : access;
      }
      case 'unary':
        return unaryKernelOps[e.op].gpujs(sub(e.x));
      case 'binary':
        return binaryKernelOps[e.op].gpujs(sub(e.a), sub(e.b));
      case 'select':
        return `(${sub(e.cond)} != 0.0 ? ${sub(e.a)} : ${sub(e.b)})`;
      case 'compare': {
        const op = { lt: '<', ge: '>=', eq: '==' }[e.op];
        return `(${this.index(e.a, ctx)} ${op} ${this.index(e.b, ctx)} ? 1.0 : 0.0)`;
      }
      case 'index':
        return `(${this.index(e.index, ctx)} + 0.0)`;
      case 'ref':
        return ctx.names.get(e.id)!;
    }
  }

  /** Bind a value in a block: reuse an identical one, or declare a constant. */
  bind(block: SourceBlock, rhs: string): string {
    if (isName(rhs)) return rhs;
    const hit = block.lookup(rhs);
    if (hit) return hit;
    const name = this.fresh('v');
    block.lines.push(`${block.indent}const ${name} = ${rhs};`);
    block.remember(rhs, name);
    return name;
  }

  stmts(stmts: readonly Stmt[], ctxs: readonly Ctx[], block: SourceBlock): void {
    for (const s of stmts) {
      switch (s.kind) {
        case 'let':
          for (const ctx of ctxs) ctx.names.set(s.id, this.bind(block, this.expr(s.value, ctx, block)));
          break;
        case 'reduce':
          this.reduce(s, ctxs, block);
          break;
      }
    }
  }

  reduce(s: Extract<Stmt, { kind: 'reduce' }>, ctxs: readonly Ctx[], block: SourceBlock): void {
    const sum = s.op === 'sum';
    const init = sum ? '0.0' : '(-3.4e38)';
    const accs = ctxs.map(() => this.fresh('acc'));
    accs.forEach((a) => block.lines.push(`${block.indent}let ${a} = ${init};`));
    const last = s.loops[s.loops.length - 1]!;
    const unroll = last.extent % UNROLL === 0 && last.extent >= 2 * UNROLL ? UNROLL : 1;
    // A long sum runs in blocks, each block's partial added into a compensated total (../sum-blocks.ts).
    const blocking = sum ? sumBlocking(s.loops, SUM_BLOCK, unroll) : undefined;
    const totals = blocking ? accs.map(() => this.fresh('tot')) : accs;
    const comps = blocking ? accs.map(() => this.fresh('cmp')) : [];
    for (const t of [...(blocking ? totals : []), ...comps]) block.lines.push(`${block.indent}let ${t} = 0.0;`);
    const lines = block.lines;
    const body = (indent: string, loopNames: ReadonlyMap<number, string>) => {
      const inner = new SourceBlock(indent, block);
      const copies = ctxs.map((ctx) =>
        Array.from({ length: unroll }, (_, u) => {
          const loops = new Map(ctx.loops);
          for (const [id, name] of loopNames) loops.set(id, id === last.id && u > 0 ? `(${name} + ${u})` : name);
          return { thread: ctx.thread, loops, names: new Map(ctx.names) } satisfies Ctx;
        }),
      );
      this.stmts(s.body, copies.flat(), inner);
      copies.forEach((group, q) => {
        const values = group.map((c) => this.expr(s.value, c, inner));
        const acc = accs[q]!;
        inner.lines.push(sum ? `${indent}${acc} += ${values.join(' + ')};` : `${indent}${acc} = Math.max(${acc}, ${values.reduce((a, b) => `Math.max(${a}, ${b})`)});`);
      });
      lines.push(...inner.lines);
    };
    const nest = (k: number, indent: string, loopNames: ReadonlyMap<number, string>): void => {
      if (k === s.loops.length) return body(indent, loopNames);
      const loop = s.loops[k]!;
      const step = loop === last && unroll > 1 ? ` += ${unroll}` : '++';
      const open = (name: string, from: number, to: number, at: string) => lines.push(`${at}for (let ${name} = ${from}; ${name} < ${to}; ${name}${step}) {`);
      const named = (name: string) => new Map([...loopNames, [loop.id, name]]);
      if (blocking?.level !== k) {
        const name = this.fresh('l');
        open(name, 0, loop.extent, indent);
        nest(k + 1, `${indent}  `, named(name));
        lines.push(`${indent}}`);
        return;
      }
      const size = blocking.size;
      const whole = Math.floor(loop.extent / size);
      const restart = (at: string) => accs.forEach((a) => lines.push(`${at}${a} = 0.0;`));
      const addPartials = (at: string) => accs.forEach((a, q) => lines.push(...kahanLines(totals[q]!, comps[q]!, a, [this.fresh('y'), this.fresh('t')]).map((l) => at + l)));
      if (whole > 0) {
        const b = this.fresh('lb');
        const i = this.fresh('l');
        lines.push(`${indent}for (let ${b} = 0; ${b} < ${whole}; ${b}++) {`);
        restart(`${indent}  `);
        open(i, 0, size, `${indent}  `);
        nest(k + 1, `${indent}    `, named(`(${b} * ${size} + ${i})`));
        lines.push(`${indent}  }`);
        addPartials(`${indent}  `);
        lines.push(`${indent}}`);
      }
      if (whole * size < loop.extent) {
        const i = this.fresh('l');
        restart(indent);
        open(i, whole * size, loop.extent, indent);
        nest(k + 1, `${indent}  `, named(i));
        lines.push(`${indent}}`);
        addPartials(indent);
      }
    };
    nest(0, block.indent, new Map());
    ctxs.forEach((ctx, q) => ctx.names.set(s.id, totals[q]!));
  }
}

function threadNames(sizes: readonly number[], pack: number): { prologue: string[]; copies: string[][] } {
  const r = sizes.length;
  if (r === 0) return { prologue: [], copies: [[]] };
  if (r === 1) return { prologue: ['  const i0 = this.thread.x;'], copies: [['i0']] };
  const prologue: string[] = [];
  const lead: string[] = [];
  if (r === 3) {
    prologue.push('  const i0 = this.thread.z;');
    lead.push('i0');
  } else if (r > 3) {
    prologue.push('  const lead = this.thread.z;');
    let stride = 1;
    const strides: number[] = [];
    for (let d = r - 3; d >= 0; d--) {
      strides[d] = stride;
      stride *= sizes[d]!;
    }
    for (let d = 0; d < r - 2; d++) {
      prologue.push(`  const i${d} = ${d === 0 ? `Math.floor(lead / ${strides[d]})` : `(Math.floor(lead / ${strides[d]}) % ${sizes[d]})`};`);
      lead.push(`i${d}`);
    }
  }
  const row = `i${r - 2}`;
  const col = `i${r - 1}`;
  prologue.push(pack > 1 ? `  const ${row} = this.thread.y * ${pack};` : `  const ${row} = this.thread.y;`, `  const ${col} = this.thread.x;`);
  const copies = Array.from({ length: pack }, (_, q) => [...lead, q === 0 ? row : `(${row} + ${q})`, col]);
  return { prologue, copies };
}

export interface RenderedKernel {
  readonly source: string;
  readonly dims: readonly number[];
  /** Rows per cell: 1, or PACK when the kernel returns Array(4). */
  readonly pack: number;
}

/** Whether a kernel may compute PACK rows per cell: a contraction with enough rows. */
export function canPack(kernel: Kernel): boolean {
  const r = kernel.sizes.length;
  return r >= 2 && kernel.sizes[r - 2]! % PACK === 0 && kernel.body.some((s) => s.kind === 'reduce');
}

/** The gpu.js kernel source (a function expression) computing a kernel's output. */
export function renderKernel(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>, options: { pack?: boolean } = {}): RenderedKernel {
  const pack = options.pack && canPack(kernel) ? PACK : 1;
  const renderer = new KernelRenderer(buffers);
  const { prologue, copies } = threadNames(kernel.sizes, pack);
  const ctxs: Ctx[] = copies.map((thread) => ({ thread, loops: new Map(), names: new Map() }));
  const block = new SourceBlock('  ');
  renderer.stmts(kernel.body, ctxs, block);
  const results = ctxs.map((ctx) => renderer.expr(kernel.result, ctx));
  const params = kernel.inputs.map((b) => `b${b}`).join(', ');
  const ret = pack > 1 ? `[${results.join(', ')}]` : results[0]!;
  const source = [`function (${params}) {`, ...prologue, ...block.lines, `  return ${ret};`, '}'].join('\n');
  return { source, dims: gpujsDims(kernel.sizes, pack), pack };
}
