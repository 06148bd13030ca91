/**
 * The WebGL2 renderer: kernel IR to one GLSL ES 3.00 fragment shader. Every
 * buffer is an RGBA32F texture laid out by ./layout.ts (the last axis four to
 * a texel), and one fragment computes the four outputs of one texel: the body
 * is rendered once per lane, and identical expressions, texel fetches above
 * all, are computed once per block. An index known to be 4·q + lane (the
 * output's last axis, an unrolled reduction loop, a constant shift of either)
 * reads component `lane` of the texel at q, so the four lanes of a
 * contraction share each fetch of the operand they have in common, and four
 * steps of its loop share each fetch of the other.
 */
import { erfGlslSource } from '../approx-erf.js';
import { binaryKernelOps, unaryKernelOps } from '../kernel-ops.js';
import type { BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';
import { SUM_BLOCK, sumBlocking } from '../sum-blocks.js';
import { textureLayout, type TextureLayout } from './layout.js';
import { SourceBlock } from '../source-block.js';

const LANES = ['x', 'y', 'z', 'w'] as const;

/** An integer index as GLSL, and, where known, as 4·quad + lane. */
interface Idx {
  readonly text: string;
  readonly quad?: string;
  readonly lane?: number;
}

const plain = (text: string): Idx => ({ text });

/** How many steps of a loop one iteration runs when its extent is not a multiple of 4: its largest divisor up to 8. */
function unrollFactor(extent: number): number {
  for (let d = 8; d > 1; d--) if (extent % d === 0 && extent >= 2 * d) return d;
  return 1;
}

/** Whether an index changes inside a loop (a gathered index is treated as changing). */
function dependsOnLoop(e: IndexExpr): boolean {
  switch (e.kind) {
    case 'loop':
    case 'fromValue':
      return true;
    case 'thread':
    case 'int':
      return false;
    case 'clamp':
      return dependsOnLoop(e.x);
    default:
      return dependsOnLoop(e.a) || dependsOnLoop(e.b);
  }
}

function constantIdx(v: number): Idx {
  const text = v < 0 ? `(${v})` : String(v);
  return v >= 0 ? { text, quad: String(v >> 2), lane: v & 3 } : plain(text);
}

/** a + c for a constant c, keeping the 4·quad + lane form. */
function shifted(a: Idx, c: number, text: string): Idx {
  if (a.quad === undefined || a.lane === undefined) return plain(text);
  const lane = a.lane + c;
  const carry = Math.floor(lane / 4);
  return { text, quad: carry === 0 ? a.quad : `(${a.quad} + ${carry})`, lane: lane - 4 * carry };
}

/** GLSL helpers the kernels may call. */
export const GLSL_HELPERS = `
const float INF = uintBitsToFloat(0x7f800000u);
int fdiv(int a, int b) { return a >= 0 ? a / b : -((b - 1 - a) / b); }
int fmod(int a, int b) { return a - b * fdiv(a, b); }
${erfGlslSource}
float pow_(float a, float b) {
  if (b == 0.0) return 1.0;
  if (a == 0.0) return b > 0.0 ? 0.0 : INF;
  if (a < 0.0) {
    if (b != floor(b)) return uintBitsToFloat(0x7fc00000u);
    float r = pow(-a, b);
    return mod(b, 2.0) == 1.0 ? -r : r;
  }
  return pow(a, b);
}
`;

export function literal(v: number): string {
  if (Number.isNaN(v)) return 'uintBitsToFloat(0x7fc00000u)';
  if (v === Infinity) return 'INF';
  if (v === -Infinity) return '(-INF)';
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? 'INF' : '(-INF)';
  let text = String(f);
  if (!/[.e]/.test(text)) text += '.0';
  return f < 0 || Object.is(f, -0) ? `(${Object.is(f, -0) ? '-0.0' : text})` : text;
}

/** How one lane (and one unrolled step) sees its indices and earlier values. */
interface Ctx {
  readonly thread: readonly Idx[];
  readonly loops: ReadonlyMap<number, Idx>;
  readonly names: Map<number, string>;
}

const isAtom = (s: string) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(s) || /^\(?-?[0-9.e+-]+\)?$/.test(s) || s === 'INF';

/** Renders one kernel: holds the name counter and the layouts of the buffers it reads. */
class KernelRenderer {
  private counter = 0;
  constructor(
    private readonly layouts: ReadonlyMap<number, TextureLayout>,
    private readonly sizes: ReadonlyMap<number, readonly number[]>,
    private readonly slot: ReadonlyMap<number, number>,
  ) {}

  /** Integer indices that depend on no loop, computed once per fragment before any loop. */
  readonly preamble = new SourceBlock('  ');
  /** Texel fetches declared so far, each weighted by the iterations of the loops around it. */
  fetchCost = 0;
  /** Iterations of the loops around the code being rendered. */
  private weight = 1;

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  /** Bind an integer index where it is computed least often: before the loops when no loop variable is in it. */
  hoist(block: SourceBlock, text: string, e: IndexExpr): string {
    return this.bind(dependsOnLoop(e) ? block : this.preamble, 'int', text);
  }

  bind(block: SourceBlock, type: 'float' | 'int' | 'vec4', rhs: string): string {
    if (isAtom(rhs)) return rhs;
    const key = `${type} ${rhs}`;
    const hit = block.lookup(key);
    if (hit) return hit;
    const name = this.fresh(type === 'vec4' ? 't' : type === 'int' ? 'n' : 'v');
    if (type === 'vec4' && rhs.startsWith('texelFetch') && block !== this.preamble) this.fetchCost += this.weight;
    block.lines.push(`${block.indent}${type} ${name} = ${rhs};`);
    block.remember(key, name);
    return name;
  }

  index(e: IndexExpr, ctx: Ctx, block: SourceBlock): Idx {
    switch (e.kind) {
      case 'thread':
        return ctx.thread[e.axis]!;
      case 'loop':
        return ctx.loops.get(e.id)!;
      case 'int':
        return constantIdx(e.value);
      case 'iadd': {
        const a = this.index(e.a, ctx, block);
        const b = this.index(e.b, ctx, block);
        const text = `(${a.text} + ${b.text})`;
        if (e.b.kind === 'int') return shifted(a, e.b.value, text);
        if (e.a.kind === 'int') return shifted(b, e.a.value, text);
        return plain(text);
      }
      case 'imul':
        return plain(`(${this.index(e.a, ctx, block).text} * ${this.index(e.b, ctx, block).text})`);
      case 'idiv':
      case 'imod': {
        const a = this.index(e.a, ctx, block);
        const m = e.b.kind === 'int' ? e.b.value : 0;
        // (4q + lane) / m and % m for m a multiple of 4: the lane only moves within a quad.
        if (m > 0 && m % 4 === 0 && a.quad !== undefined && a.lane !== undefined) {
          const quad = this.hoist(block, e.kind === 'idiv' ? `fdiv(${a.quad}, ${m / 4})` : `fmod(${a.quad}, ${m / 4})`, e.a);
          return e.kind === 'idiv' ? plain(quad) : { text: `(${quad} * 4 + ${a.lane})`, quad, lane: a.lane };
        }
        return plain(this.hoist(block, `${e.kind === 'idiv' ? 'fdiv' : 'fmod'}(${a.text}, ${this.index(e.b, ctx, block).text})`, e));
      }
      case 'clamp':
        return plain(`clamp(${this.index(e.x, ctx, block).text}, ${e.lo}, ${e.hi})`);
      case 'fromValue':
        return plain(`int(floor(${this.expr(e.value, ctx, block)}))`);
    }
  }

  /** One element of a buffer: a component of a texel fetch, the fetch bound once per block. */
  load(buffer: number, index: readonly IndexExpr[], ctx: Ctx, block: SourceBlock): string {
    const layout = this.layouts.get(buffer);
    const sizes = this.sizes.get(buffer);
    const unit = this.slot.get(buffer);
    if (!layout || !sizes || unit === undefined) throw new Error(`webgl2-native render: unknown buffer ${buffer}`);
    const r = sizes.length;
    const idx = index.map((i) => this.index(i, ctx, block));
    let row = '0';
    for (let d = 0; d < r - 1; d++) row = d === 0 ? idx[0]!.text : `(${row} * ${sizes[d]} + ${idx[d]!.text})`;
    const col: Idx = r === 0 ? constantIdx(0) : idx[r - 1]!;
    const rowName = this.bind(index.slice(0, -1).some(dependsOnLoop) ? block : this.preamble, 'int', row);
    const colMoves = r > 0 && dependsOnLoop(index[r - 1]!);
    const at = (quad: string) => {
      const coord = layout.fold === 1 ? `ivec2(${quad}, ${rowName})` : `ivec2((${rowName} % ${layout.fold}) * ${layout.quads} + ${quad}, ${rowName} / ${layout.fold})`;
      return this.bind(block, 'vec4', `texelFetch(u${unit}, ${coord}, 0)`);
    };
    if (col.quad !== undefined && col.lane !== undefined) return `${at(col.quad)}.${LANES[col.lane]}`;
    const c = this.bind(colMoves ? block : this.preamble, 'int', col.text);
    const quad = this.bind(colMoves ? block : this.preamble, 'int', `(${c} >> 2)`);
    // (Not a dot with a one-hot mask: another component may be infinite, and inf * 0 is NaN.)
    const lane = this.bind(colMoves ? block : this.preamble, 'int', `(${c} & 3)`);
    return this.bind(block, 'float', `${at(quad)}[${lane}]`);
  }

  expr(e: Expr, ctx: Ctx, block: SourceBlock): string {
    const sub = (x: Expr) => this.expr(x, ctx, block);
    switch (e.kind) {
      case 'literal':
        return literal(e.value);
      case 'load':
        return this.load(e.buffer, e.index, ctx, block);
      case 'unary':
        return unaryKernelOps[e.op].glsl(sub(e.x));
      case 'binary':
        return binaryKernelOps[e.op].glsl(sub(e.a), sub(e.b));
      case 'select':
        return `(${sub(e.cond)} != 0.0 ? ${sub(e.a)} : ${sub(e.b)})`;
      case 'compare': {
        const op = { lt: '<', ge: '>=', eq: '==' }[e.op];
        return `(${this.index(e.a, ctx, block).text} ${op} ${this.index(e.b, ctx, block).text} ? 1.0 : 0.0)`;
      }
      case 'index':
        return `float(${this.index(e.index, ctx, block).text})`;
      case 'ref':
        return ctx.names.get(e.id)!;
    }
  }

  stmts(stmts: readonly Stmt[], ctxs: readonly Ctx[], block: SourceBlock): void {
    for (const s of stmts) {
      if (s.kind === 'let') {
        for (const ctx of ctxs) ctx.names.set(s.id, this.bind(block, 'float', this.expr(s.value, ctx, block)));
      } else {
        this.reduce(s, ctxs, block);
      }
    }
  }

  reduce(s: Extract<Stmt, { kind: 'reduce' }>, ctxs: readonly Ctx[], block: SourceBlock): void {
    const sum = s.op === 'sum';
    const accs = ctxs.map(() => this.fresh('acc'));
    accs.forEach((a) => block.lines.push(`${block.indent}float ${a} = ${sum ? '0.0' : '(-INF)'};`));
    const last = s.loops[s.loops.length - 1]!;
    // The innermost loop runs four steps per iteration when it can (then a step is 4·quad + lane);
    // otherwise by the largest divisor of its extent up to 8, only to save loop overhead.
    const quads = last.extent % 4 === 0 && last.extent >= 8;
    const unroll = quads ? 4 : unrollFactor(last.extent);
    // A long sum runs in blocks whose partials go into a compensated total (../sum-blocks.ts).
    const blocking = sum ? sumBlocking(s.loops, SUM_BLOCK, unroll) : undefined;
    const totals = blocking ? accs.map(() => this.fresh('tot')) : accs;
    const comps = blocking ? accs.map(() => this.fresh('cmp')) : [];
    for (const t of [...(blocking ? totals : []), ...comps]) block.lines.push(`${block.indent}float ${t} = 0.0;`);
    const lines = block.lines;
    const body = (indent: string, loopNames: ReadonlyMap<number, string>) => {
      const inner = new SourceBlock(indent, block);
      const copies = ctxs.map((ctx) =>
        Array.from({ length: unroll }, (_, u) => {
          const loops = new Map(ctx.loops);
          for (const [id, name] of loopNames) {
            const text = u === 0 ? name : `(${name} + ${u})`;
            if (id === last.id && quads) loops.set(id, { text, quad: `(${name} >> 2)`, lane: u });
            else if (id === last.id && unroll > 1) loops.set(id, plain(text));
            else loops.set(id, plain(name));
          }
          return { thread: ctx.thread, loops, names: new Map(ctx.names) } satisfies Ctx;
        }),
      );
      const outer = this.weight;
      this.weight = outer * s.loops.reduce((n, l) => n * l.extent, 1) / unroll;
      this.stmts(s.body, copies.flat(), inner);
      copies.forEach((group, q) => {
        const values = group.map((c) => this.expr(s.value, c, inner));
        const acc = accs[q]!;
        inner.lines.push(sum ? `${indent}${acc} += ${values.join(' + ')};` : `${indent}${acc} = max(${acc}, ${values.reduce((a, b) => `max(${a}, ${b})`)});`);
      });
      this.weight = outer;
      lines.push(...inner.lines);
    };
    const nest = (k: number, indent: string, loopNames: ReadonlyMap<number, string>): void => {
      if (k === s.loops.length) return body(indent, loopNames);
      const loop = s.loops[k]!;
      const step = loop === last && unroll > 1 ? ` += ${unroll}` : '++';
      const open = (name: string, from: number, to: number, at: string) => lines.push(`${at}for (int ${name} = ${from}; ${name} < ${to}; ${name}${step}) {`);
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
      const addPartials = (at: string) =>
        accs.forEach((a, q) => {
          const [y, t] = [this.fresh('y'), this.fresh('t')];
          const total = totals[q]!;
          const comp = comps[q]!;
          lines.push(`${at}float ${y} = ${a} - ${comp};`, `${at}float ${t} = ${total} + ${y};`, `${at}${comp} = (${t} - ${total}) - ${y};`, `${at}${total} = ${t};`);
        });
      if (whole > 0) {
        const b = this.fresh('lb');
        const i = this.fresh('l');
        lines.push(`${indent}for (int ${b} = 0; ${b} < ${whole}; ${b}++) {`);
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

/** The fragment's tensor indices: leading axes from its texture row, the last axis per lane. */
function threadLines(sizes: readonly number[], layout: TextureLayout): { prologue: string[]; lanes: Idx[][] } {
  const r = sizes.length;
  const prologue = ['  ivec2 frag = ivec2(gl_FragCoord.xy);'];
  if (layout.fold === 1) prologue.push('  int row = frag.y;', '  int q = frag.x;');
  else prologue.push(`  int row = min(frag.y * ${layout.fold} + frag.x / ${layout.quads}, ${layout.rows - 1});`, `  int q = frag.x % ${layout.quads};`);
  const lead: Idx[] = [];
  let stride = 1;
  const strides: number[] = [];
  for (let d = r - 2; d >= 0; d--) {
    strides[d] = stride;
    stride *= sizes[d]!;
  }
  for (let d = 0; d < r - 1; d++) {
    const name = `i${d}`;
    const value = d === 0 ? (strides[0] === 1 ? 'row' : `row / ${strides[0]}`) : `(row / ${strides[d]}) % ${sizes[d]}`;
    prologue.push(`  int ${name} = ${value};`);
    lead.push(plain(name));
  }
  const laneCount = Math.min(4, layout.cols);
  const lanes = Array.from({ length: laneCount }, (_, lane) => (r === 0 ? [] : [...lead, { text: lane === 0 ? '(q * 4)' : `(q * 4 + ${lane})`, quad: 'q', lane }]));
  return { prologue, lanes };
}

/**
 * The thread indices of a row-tiled fragment: four tensor rows (4g .. 4g + 3) by the four lanes
 * of quad q, sixteen outputs. Possible when the innermost leading axis is a multiple of 4, so that
 * its index is 4·quad + k: an operand indexed by it along its own last axis is then one fetch for
 * all four rows (as the lanes share the other operand's fetches).
 */
function tiledThreadLines(sizes: readonly number[], layout: TextureLayout): { prologue: string[]; lanes: Idx[][] } | undefined {
  const r = sizes.length;
  if (r < 2 || layout.fold !== 1 || layout.rows % 4 !== 0) return undefined;
  if (sizes[r - 2]! % 4 !== 0) return tiledByRows(sizes, layout);
  const prologue = ['  ivec2 frag = ivec2(gl_FragCoord.xy);', '  int g = frag.y;', '  int q = frag.x;'];
  const inner = sizes[r - 2]!;
  let rowQuad = 'g';
  if (r > 2) {
    prologue.push(`  int gq = g % ${inner / 4};`);
    rowQuad = 'gq';
  }
  const lead: Idx[] = [];
  let stride = inner;
  const strides: number[] = [];
  for (let d = r - 3; d >= 0; d--) {
    strides[d] = stride;
    stride *= sizes[d]!;
  }
  for (let d = 0; d < r - 2; d++) {
    prologue.push(`  int i${d} = ${d === 0 ? `g / ${strides[d]! / 4}` : `(g / ${strides[d]! / 4}) % ${sizes[d]}`};`);
    lead.push(plain(`i${d}`));
  }
  const laneCount = Math.min(4, layout.cols);
  const lanes: Idx[][] = [];
  for (let k = 0; k < 4; k++) {
    const rowIdx: Idx = { text: k === 0 ? `(${rowQuad} * 4)` : `(${rowQuad} * 4 + ${k})`, quad: rowQuad, lane: k };
    for (let lane = 0; lane < laneCount; lane++) lanes.push([...lead, rowIdx, { text: lane === 0 ? '(q * 4)' : `(q * 4 + ${lane})`, quad: 'q', lane }]);
  }
  return { prologue, lanes };
}

/**
 * Row tiling when the innermost leading axis is not a multiple of 4 (49 tokens, say): each of the
 * four rows gets its own leading indices; operands indexed by the loop and the lanes (a weight
 * matrix) are still fetched once for the four rows.
 */
function tiledByRows(sizes: readonly number[], layout: TextureLayout): { prologue: string[]; lanes: Idx[][] } {
  const r = sizes.length;
  const prologue = ['  ivec2 frag = ivec2(gl_FragCoord.xy);', '  int g = frag.y;', '  int q = frag.x;'];
  const strides: number[] = [];
  let stride = 1;
  for (let d = r - 2; d >= 0; d--) {
    strides[d] = stride;
    stride *= sizes[d]!;
  }
  const laneCount = Math.min(4, layout.cols);
  const lanes: Idx[][] = [];
  for (let k = 0; k < 4; k++) {
    const lead: Idx[] = [];
    for (let d = 0; d < r - 1; d++) {
      const name = `i${d}_${k}`;
      const row = `(g * 4 + ${k})`;
      prologue.push(`  int ${name} = ${d === 0 ? `${row} / ${strides[0]}` : `(${row} / ${strides[d]}) % ${sizes[d]}`};`);
      lead.push(plain(name));
    }
    for (let lane = 0; lane < laneCount; lane++) lanes.push([...lead, { text: lane === 0 ? '(q * 4)' : `(q * 4 + ${lane})`, quad: 'q', lane }]);
  }
  return { prologue, lanes };
}

export interface RenderedShader {
  readonly source: string;
  /** Buffers read, in texture-unit order (sampler u0, u1, ...). */
  readonly inputs: readonly number[];
  /** The output's layout (a tiled shader writes it as four textures of a quarter of its rows: row 4g + k in texture k, row g). */
  readonly layout: TextureLayout;
  readonly tiled: boolean;
  /** Texel fetches per output texel, each weighted by how many loop iterations run it. */
  readonly fetchCost: number;
}

function renderWith(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>, maxTextureSize: number, tile: boolean): RenderedShader | undefined {
  const layouts = new Map<number, TextureLayout>();
  const sizes = new Map<number, readonly number[]>();
  const slot = new Map<number, number>();
  kernel.inputs.forEach((b, unit) => {
    const info = buffers.get(b);
    if (!info) throw new Error(`webgl2-native render: unknown buffer ${b}`);
    layouts.set(b, textureLayout(info.sizes, maxTextureSize));
    sizes.set(b, info.sizes);
    slot.set(b, unit);
  });
  const layout = textureLayout(kernel.sizes, maxTextureSize);
  const threads = tile ? tiledThreadLines(kernel.sizes, layout) : threadLines(kernel.sizes, layout);
  if (threads === undefined) return undefined;
  const renderer = new KernelRenderer(layouts, sizes, slot);
  const ctxs: Ctx[] = threads.lanes.map((thread) => ({ thread, loops: new Map(), names: new Map() }));
  const block = new SourceBlock('  ');
  renderer.stmts(kernel.body, ctxs, block);
  const results = ctxs.map((ctx) => renderer.expr(kernel.result, ctx, block));
  const perRow = tile ? results.length / 4 : results.length;
  const outputs = tile ? [0, 1, 2, 3] : [0];
  const vec = (k: number) => {
    const lanes = results.slice(k * perRow, (k + 1) * perRow);
    while (lanes.length < 4) lanes.push('0.0');
    return `vec4(${lanes.join(', ')})`;
  };
  const source = [
    '#version 300 es',
    'precision highp float;',
    'precision highp int;',
    'precision highp sampler2D;',
    ...kernel.inputs.map((_, unit) => `uniform sampler2D u${unit};`),
    ...outputs.map((k) => `layout(location = ${k}) out vec4 result${k};`),
    GLSL_HELPERS,
    `// ${kernel.ops.join(' ')}`,
    'void main() {',
    ...threads.prologue,
    ...renderer.preamble.lines,
    ...block.lines,
    ...outputs.map((k) => `  result${k} = ${vec(k)};`),
    '}',
  ].join('\n');
  return { source, inputs: kernel.inputs, layout, tiled: tile, fetchCost: renderer.fetchCost / (tile ? 4 : 1) };
}

/**
 * The fragment shader computing a kernel's output texture: row-tiled where that cuts the texel
 * fetches per output by a quarter or more (contractions whose operands share rows), plain otherwise.
 */
export function renderShader(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>, maxTextureSize: number): RenderedShader {
  const plainShader = renderWith(kernel, buffers, maxTextureSize, false)!;
  if (!kernel.body.some((s) => s.kind === 'reduce')) return plainShader;
  const tiled = renderWith(kernel, buffers, maxTextureSize, true);
  return tiled !== undefined && tiled.fetchCost <= 0.75 * plainShader.fetchCost ? tiled : plainShader;
}
