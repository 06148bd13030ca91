/**
 * The gpu.js renderer: kernel IR to the source of one gpu.js kernel, with
 * every size baked in. Buffers keep the layout gpu.js gives a kernel output:
 * the last axis is x, the one before it y, and all leading axes flattened
 * into z, so a buffer is read as b[z][y][x] whoever wrote it.
 */
import type { BinaryOp, BufferInfo, Expr, IndexExpr, Kernel, Stmt } from '../kernel-ir.js';

/** gpu.js output dimensions [x, y, z] of a tensor with these sizes. */
export function gpujsDims(sizes: readonly number[]): number[] {
  const r = sizes.length;
  if (r === 0) return [1];
  if (r <= 3) return [...sizes].reverse();
  return [sizes[r - 1]!, sizes[r - 2]!, sizes.slice(0, r - 2).reduce((a, b) => a * b, 1)];
}

/** The source of gpu.js's erf: Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7, below float32's resolution near 1). */
export const erfFunctionSource = `function erf(x) {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const p = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return s * (1 - p * Math.exp(-a * a));
}`;

function literal(v: number): string {
  if (Number.isNaN(v)) return '(0 / 0)';
  if (v === Infinity) return '3.4e38';
  if (v === -Infinity) return '(-3.4e38)';
  const text = Number.isInteger(v) ? v.toFixed(1) : String(v);
  return v < 0 ? `(${text})` : text;
}

function renderIndex(e: IndexExpr): string {
  switch (e.kind) {
    case 'thread':
      return `i${e.axis}`;
    case 'loop':
      return `l${e.id}`;
    case 'int':
      return e.value < 0 ? `(${e.value})` : String(e.value);
    case 'iadd':
      return `(${renderIndex(e.a)} + ${renderIndex(e.b)})`;
    case 'imul':
      return `(${renderIndex(e.a)} * ${renderIndex(e.b)})`;
    case 'idiv':
      return `Math.floor(${renderIndex(e.a)} / ${renderIndex(e.b)})`;
    case 'imod':
      return `(${renderIndex(e.a)} % ${renderIndex(e.b)})`;
    case 'clamp':
      return `Math.min(Math.max(${renderIndex(e.x)}, ${e.lo}), ${e.hi})`;
    case 'fromValue':
      return `Math.floor(${renderExpr(e.value)})`;
  }
}

/** b[z][y][x] for a buffer of the given sizes read at a multi-index. */
function renderAccess(name: string, sizes: readonly number[], idx: readonly IndexExpr[]): string {
  const r = sizes.length;
  if (r === 0) return `${name}[0]`;
  if (r <= 3) return `${name}${idx.map((i) => `[${renderIndex(i)}]`).join('')}`;
  let lead = renderIndex(idx[0]!);
  for (let d = 1; d < r - 2; d++) lead = `(${lead} * ${sizes[d]} + ${renderIndex(idx[d]!)})`;
  return `${name}[${lead}][${renderIndex(idx[r - 2]!)}][${renderIndex(idx[r - 1]!)}]`;
}

function renderBinary(op: BinaryOp, a: string, b: string): string {
  switch (op) {
    case 'add':
      return `(${a} + ${b})`;
    case 'sub':
      return `(${a} - ${b})`;
    case 'mul':
      return `(${a} * ${b})`;
    case 'div':
      return `(${a} / ${b})`;
    case 'maximum':
      return `Math.max(${a}, ${b})`;
    case 'minimum':
      return `Math.min(${a}, ${b})`;
    case 'pow':
      return `Math.pow(${a}, ${b})`;
    case 'less':
      return `(${a} < ${b} ? 1.0 : 0.0)`;
    case 'greater':
      return `(${a} > ${b} ? 1.0 : 0.0)`;
    case 'equal':
      return `(${a} == ${b} ? 1.0 : 0.0)`;
  }
}

/** Buffers' sizes are needed to lay out loads; the renderer is built around them. */
let currentBuffers: ReadonlyMap<number, BufferInfo> = new Map();

function renderExpr(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return literal(e.value);
    case 'load': {
      const info = currentBuffers.get(e.buffer);
      if (!info) throw new Error(`render: unknown buffer ${e.buffer}`);
      return renderAccess(`b${e.buffer}`, info.sizes, e.index);
    }
    case 'unary': {
      const x = renderExpr(e.x);
      switch (e.op) {
        case 'neg':
          return `(-${x})`;
        case 'reciprocal':
          return `(1.0 / ${x})`;
        case 'erf':
          return `erf(${x})`;
        default:
          return `Math.${e.op}(${x})`;
      }
    }
    case 'binary':
      return renderBinary(e.op, renderExpr(e.a), renderExpr(e.b));
    case 'select':
      return `(${renderExpr(e.cond)} != 0.0 ? ${renderExpr(e.a)} : ${renderExpr(e.b)})`;
    case 'compare': {
      const op = { lt: '<', ge: '>=', eq: '==' }[e.op];
      return `(${renderIndex(e.a)} ${op} ${renderIndex(e.b)} ? 1.0 : 0.0)`;
    }
    case 'index':
      return `(${renderIndex(e.index)} + 0.0)`;
    case 'ref':
      return `v${e.id}`;
  }
}

function renderStmt(s: Stmt, indent: string): string[] {
  switch (s.kind) {
    case 'let':
      return [`${indent}const v${s.id} = ${renderExpr(s.value)};`];
    case 'reduce': {
      const lines = [`${indent}let v${s.id} = ${s.op === 'sum' ? '0.0' : '(-3.4e38)'};`];
      let inner = indent;
      for (const loop of s.loops) {
        lines.push(`${inner}for (let l${loop.id} = 0; l${loop.id} < ${loop.extent}; l${loop.id}++) {`);
        inner += '  ';
      }
      for (const b of s.body) lines.push(...renderStmt(b, inner));
      const v = renderExpr(s.value);
      lines.push(s.op === 'sum' ? `${inner}v${s.id} += ${v};` : `${inner}v${s.id} = Math.max(v${s.id}, ${v});`);
      for (let k = s.loops.length - 1; k >= 0; k--) {
        inner = inner.slice(2);
        lines.push(`${inner}}`);
      }
      return lines;
    }
  }
}

function threadPrologue(sizes: readonly number[]): string[] {
  const r = sizes.length;
  if (r === 0) return [];
  const names = ['this.thread.x', 'this.thread.y', 'this.thread.z'];
  if (r <= 3) return sizes.map((_, d) => `  const i${d} = ${names[r - 1 - d]};`);
  const lines = [`  const lead = this.thread.z;`];
  let stride = 1;
  const strides: number[] = [];
  for (let d = r - 3; d >= 0; d--) {
    strides[d] = stride;
    stride *= sizes[d]!;
  }
  for (let d = 0; d < r - 2; d++) lines.push(`  const i${d} = ${d === 0 ? `Math.floor(lead / ${strides[d]})` : `(Math.floor(lead / ${strides[d]}) % ${sizes[d]})`};`);
  lines.push(`  const i${r - 2} = this.thread.y;`, `  const i${r - 1} = this.thread.x;`);
  return lines;
}

/** The gpu.js kernel source (a function expression) computing a kernel's output. */
export function renderKernel(kernel: Kernel, buffers: ReadonlyMap<number, BufferInfo>): string {
  currentBuffers = buffers;
  try {
    const params = kernel.inputs.map((b) => `b${b}`).join(', ');
    const body = kernel.body.flatMap((s) => renderStmt(s, '  '));
    return [`function (${params}) {`, ...threadPrologue(kernel.sizes), ...body, `  return ${renderExpr(kernel.result)};`, '}'].join('\n');
  } finally {
    currentBuffers = new Map();
  }
}
