/**
 * exp, tanh and erf of four f32 lanes as SIMD polynomials (no call per lane).
 * Each takes its argument as a v128 on the stack and leaves its result there.
 */
import { ERF_CLAMP, ERF_DENOMINATOR, ERF_NUMERATOR } from '../approx-erf.js';
import { Simd, ValType, type Code } from './encode.js';

/** What a rendering of wasm code needs from the kernel renderer: the code being written, fresh locals, memoised v128 constants. */
export interface WasmEmitter {
  /** The code being written (read each time: the renderer swaps it while capturing). */
  readonly code: Code;
  /** A fresh local of this type. */
  local(type: ValType): number;
  /** Pushes the v128 with `value` in every lane. */
  splat(value: number): void;
  /** Whether f32x4.relaxed_madd may be emitted (./relaxed-simd.ts). */
  readonly fma: boolean;
}

/**
 * exp of the v128 on the stack, in f32x4: n = round(x / ln 2), r = x - n ln 2 (Cody–Waite),
 * exp(r) by its Taylor polynomial of degree 7 (|r| <= 0.347: relative error < 1e-8 before rounding),
 * times 2^n built in the exponent bits. x is clamped to [-87.3, 88.3] (2^n stays a normal float).
 */
export function vexp(w: WasmEmitter): void {
  const x = w.local(ValType.v128);
  const n = w.local(ValType.v128);
  const r = w.local(ValType.v128);
  w.splat(-87.3);
  w.code.simd(Simd.f32x4_max);
  w.splat(88.3);
  w.code.simd(Simd.f32x4_min).set(x);
  w.code.get(x);
  w.splat(Math.LOG2E);
  w.code.simd(Simd.f32x4_mul).simd(Simd.f32x4_nearest).set(n);
  // r = x - n * ln2_hi - n * ln2_lo
  w.code.get(x).get(n);
  w.splat(0.693359375);
  w.code.simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).get(n);
  w.splat(-2.12194440e-4);
  w.code.simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).set(r);
  // Horner: 1 + r (1 + r (1/2 + r (1/6 + r (1/24 + r (1/120 + r (1/720 + r / 5040))))))
  horner(w, r, [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]);
  // 2^n: (n + 127) << 23 as float bits.
  w.code.get(n).simd(Simd.i32x4_trunc_sat_f32x4_s).i32(127).simd(Simd.i32x4_splat).simd(Simd.i32x4_add).i32(23).simd(Simd.i32x4_shl);
  w.code.simd(Simd.f32x4_mul);
}

/** Pushes the polynomial with these coefficients (highest power first) at the v128 in local `t`. */
function horner(w: WasmEmitter, t: number, coefs: readonly number[]): void {
  w.splat(coefs[0]!);
  for (const k of coefs.slice(1)) {
    w.code.get(t);
    if (w.fma) {
      w.splat(k);
      w.code.simd(Simd.f32x4_relaxed_madd);
      continue;
    }
    w.code.simd(Simd.f32x4_mul);
    w.splat(k);
    w.code.simd(Simd.f32x4_add);
  }
}

/** -v where the mask m is set: bitselect(-v, v, m). Expects v then m on the stack. */
function negateWhere(w: WasmEmitter): void {
  const v = w.local(ValType.v128);
  const m = w.local(ValType.v128);
  w.code.set(m).set(v);
  w.code.get(v).simd(Simd.f32x4_neg).get(v).get(m).simd(Simd.v128_bitselect);
}

/** Pushes the mask of lanes where local x < 0. */
function negativeMask(w: WasmEmitter, x: number): void {
  w.code.get(x);
  w.splat(0);
  w.code.simd(Simd.f32x4_lt);
}

/** tanh in f32x4: sign(x) (1 - e) / (1 + e) with e = exp(-2 |x|). */
export function vtanh(w: WasmEmitter): void {
  const x = w.local(ValType.v128);
  const e = w.local(ValType.v128);
  w.code.set(x);
  w.code.get(x).simd(Simd.f32x4_abs);
  w.splat(-2);
  w.code.simd(Simd.f32x4_mul);
  vexp(w);
  w.code.set(e);
  w.splat(1);
  w.code.get(e).simd(Simd.f32x4_sub);
  w.splat(1);
  w.code.get(e).simd(Simd.f32x4_add).simd(Simd.f32x4_div);
  negativeMask(w, x);
  negateWhere(w);
}

/** erf in f32x4: the rational function of ../approx-erf.ts, as its scalar import computes it. */
export function verf(w: WasmEmitter): void {
  const c = w.local(ValType.v128);
  const u = w.local(ValType.v128);
  w.splat(-ERF_CLAMP);
  w.code.simd(Simd.f32x4_max);
  w.splat(ERF_CLAMP);
  w.code.simd(Simd.f32x4_min).set(c);
  w.code.get(c).get(c).simd(Simd.f32x4_mul).set(u);
  horner(w, u, ERF_NUMERATOR);
  w.code.get(c).simd(Simd.f32x4_mul);
  horner(w, u, ERF_DENOMINATOR);
  w.code.simd(Simd.f32x4_div);
}
