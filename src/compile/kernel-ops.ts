/**
 * The elementwise ops of the kernel language and how each backend renders
 * them: gpu.js source, GLSL, and wasm (an f32 form, and an f32x4 form where
 * there is one; without one the wasm renderer goes lane by lane through the
 * f32 form). A wasm f32 form is either instructions or a JavaScript function
 * the module imports. The keys are op names of ops/registry.ts: op-rules.ts
 * derives the lowering and fusion class of these ops from this table (so a name
 * here that is not a registry op, or a registry op missing, fails to compile
 * there), and the kernel IR's UnaryOp and BinaryOp are its keys.
 */
import { approxErf } from './approx-erf.js';
import { Op, Simd, ValType } from './wasm/encode.js';
import { verf, vexp, vtanh, type WasmEmitter } from './wasm/polynomials.js';

/** A wasm f32 rendering: instructions over the operands on the stack, or a JavaScript function imported into the module. */
export type WasmScalar = { readonly emit: (w: WasmEmitter) => void } | { readonly import: (...x: number[]) => number };

/** How one unary op renders on every backend. */
export interface UnaryRendering {
  /** gpu.js (JavaScript) source of the op applied to source `x`. */
  readonly gpujs: (x: string) => string;
  /** GLSL ES 3.00 source of the op applied to source `x`. */
  readonly glsl: (x: string) => string;
  /** f32 -> f32 on the wasm stack. */
  readonly f32: WasmScalar;
  /** The f32x4 form: `x` pushes the operand. A polynomial is used only where the renderer allows polynomials. */
  readonly f32x4?: { readonly emit: (w: WasmEmitter, x: () => void) => void; readonly polynomial?: true };
}

/** How one binary op renders on every backend. */
export interface BinaryRendering {
  /** gpu.js (JavaScript) source of `a op b`. */
  readonly gpujs: (a: string, b: string) => string;
  /** GLSL ES 3.00 source of `a op b`. */
  readonly glsl: (a: string, b: string) => string;
  /** f32, f32 -> f32 on the wasm stack. */
  readonly f32: WasmScalar;
  /** f32x4, f32x4 -> f32x4 on the wasm stack. */
  readonly f32x4?: (w: WasmEmitter) => void;
}

const ops = (...codes: number[]) => ({ emit: (w: WasmEmitter) => void w.code.op(...codes) });
const simd = (code: number) => ({ emit: (w: WasmEmitter, x: () => void) => void (x(), w.code.simd(code)) });
const poly = (f: (w: WasmEmitter) => void) => ({ emit: (w: WasmEmitter, x: () => void) => void (x(), f(w)), polynomial: true as const });
const call = (name: string) => (x: string) => `${name}(${x})`;

/** A unary elementwise op of the kernel language (each has its rendering in unaryKernelOps). */
export type UnaryKernelOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'abs' | 'sign' | 'floor' | 'sin' | 'cos' | 'tanh' | 'erf' | 'softplus';
/** A binary elementwise op of the kernel language (each has its rendering in binaryKernelOps). */
export type BinaryKernelOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow' | 'less' | 'greater' | 'equal';

/** The unary elementwise ops of the kernel language, by name (a name of ops/registry.ts). */
export const unaryKernelOps: { readonly [K in UnaryKernelOp]: UnaryRendering } = {
  neg: { gpujs: (x) => `(-${x})`, glsl: (x) => `(-${x})`, f32: ops(Op.f32_neg), f32x4: simd(Simd.f32x4_neg) },
  exp: { gpujs: call('Math.exp'), glsl: call('exp'), f32: { import: Math.exp }, f32x4: poly(vexp) },
  log: { gpujs: call('Math.log'), glsl: call('log'), f32: { import: Math.log } },
  sqrt: { gpujs: call('Math.sqrt'), glsl: call('sqrt'), f32: ops(Op.f32_sqrt), f32x4: simd(Simd.f32x4_sqrt) },
  reciprocal: {
    gpujs: (x) => `(1.0 / ${x})`,
    glsl: (x) => `(1.0 / ${x})`,
    f32: {
      emit: (w) => {
        const t = w.local(ValType.f32);
        w.code.set(t).f32(1).get(t).op(Op.f32_div);
      },
    },
    f32x4: {
      emit: (w, x) => {
        w.splat(1);
        x();
        w.code.simd(Simd.f32x4_div);
      },
    },
  },
  abs: { gpujs: call('Math.abs'), glsl: call('abs'), f32: ops(Op.f32_abs), f32x4: simd(Simd.f32x4_abs) },
  sign: {
    gpujs: call('Math.sign'),
    glsl: call('sign'),
    f32: {
      emit: (w) => {
        const t = w.local(ValType.f32);
        w.code.tee(t).f32(0).op(Op.f32_gt).get(t).f32(0).op(Op.f32_lt, Op.i32_sub, Op.f32_convert_i32_s);
      },
    },
  },
  floor: { gpujs: call('Math.floor'), glsl: call('floor'), f32: ops(Op.f32_floor), f32x4: simd(Simd.f32x4_floor) },
  sin: { gpujs: call('Math.sin'), glsl: call('sin'), f32: { import: Math.sin } },
  cos: { gpujs: call('Math.cos'), glsl: call('cos'), f32: { import: Math.cos } },
  tanh: {
    gpujs: call('Math.tanh'),
    // Clamped: some drivers compute tanh through exp and overflow to NaN past |x| ~ 44.
    glsl: (x) => `tanh(clamp(${x}, -15.0, 15.0))`,
    f32: { import: Math.tanh },
    f32x4: poly(vtanh),
  },
  erf: { gpujs: call('erf'), glsl: call('erf_'), f32: { import: approxErf }, f32x4: poly(verf) },
  softplus: {
    gpujs: (x) => `(Math.max(${x}, 0.0) + Math.log(1.0 + Math.exp(-Math.abs(${x}))))`,
    glsl: (x) => `(max(${x}, 0.0) + log(1.0 + exp(-abs(${x}))))`,
    f32: { import: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) },
  },
};

const infix = (op: string) => (a: string, b: string) => `(${a} ${op} ${b})`;
const indicator = (op: string) => (a: string, b: string) => `(${a} ${op} ${b} ? 1.0 : 0.0)`;
const simd2 = (code: number) => (w: WasmEmitter) => void w.code.simd(code);
// All-ones mask lanes and 1.0: exactly 1.0 where the comparison holds.
const mask = (code: number) => (w: WasmEmitter) => {
  w.code.simd(code);
  w.splat(1);
  w.code.simd(Simd.v128_and);
};

/** The binary elementwise ops of the kernel language (arithmetic, and comparisons giving 1 or 0), by name (a name of ops/registry.ts). */
export const binaryKernelOps: { readonly [K in BinaryKernelOp]: BinaryRendering } = {
  add: { gpujs: infix('+'), glsl: infix('+'), f32: ops(Op.f32_add), f32x4: simd2(Simd.f32x4_add) },
  sub: { gpujs: infix('-'), glsl: infix('-'), f32: ops(Op.f32_sub), f32x4: simd2(Simd.f32x4_sub) },
  mul: { gpujs: infix('*'), glsl: infix('*'), f32: ops(Op.f32_mul), f32x4: simd2(Simd.f32x4_mul) },
  div: { gpujs: infix('/'), glsl: infix('/'), f32: ops(Op.f32_div), f32x4: simd2(Simd.f32x4_div) },
  maximum: { gpujs: (a, b) => `Math.max(${a}, ${b})`, glsl: (a, b) => `max(${a}, ${b})`, f32: ops(Op.f32_max), f32x4: simd2(Simd.f32x4_max) },
  minimum: { gpujs: (a, b) => `Math.min(${a}, ${b})`, glsl: (a, b) => `min(${a}, ${b})`, f32: ops(Op.f32_min), f32x4: simd2(Simd.f32x4_min) },
  // GLSL's pow is undefined for a < 0 and at 0^0: pow_ (a GLSL helper) follows JavaScript.
  pow: { gpujs: (a, b) => `Math.pow(${a}, ${b})`, glsl: (a, b) => `pow_(${a}, ${b})`, f32: { import: Math.pow } },
  less: { gpujs: indicator('<'), glsl: indicator('<'), f32: ops(Op.f32_lt, Op.f32_convert_i32_s), f32x4: mask(Simd.f32x4_lt) },
  greater: { gpujs: indicator('>'), glsl: indicator('>'), f32: ops(Op.f32_gt, Op.f32_convert_i32_s), f32x4: mask(Simd.f32x4_gt) },
  equal: { gpujs: indicator('=='), glsl: indicator('=='), f32: ops(Op.f32_eq, Op.f32_convert_i32_s), f32x4: mask(Simd.f32x4_eq) },
};
