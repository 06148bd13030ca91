/**
 * A function of the module that says whether a run of float32 values in its
 * memory is all finite: a float32 input copied in as it is (no conversion) is
 * checked there, four lanes at a time, instead of by a scalar loop in JavaScript
 * (measured in docs/performance.md, "Cheaper calls").
 */
import { Code, Op, Simd, ValType, type DefinedFunc } from './encode.js';

/** Its export name. */
export const FINITE_CHECK_EXPORT = 'allFinite';

/** i32x4.all_true (not in encode.ts's table: only this function uses it). */
const I32X4_ALL_TRUE = 0xa3;

/**
 * allFinite(start, end): 1 when every float32 in the bytes [start, end) is finite, else 0; start
 * 16-byte aligned and end - start a multiple of 16. x - x is 0 for a finite x and NaN otherwise, and
 * NaN is the one value not equal to itself.
 */
export function finiteCheckFunc(): DefinedFunc {
  const [start, end, all, diff] = [0, 1, 2, 3];
  const code = new Code();
  code.simd(Simd.v128_const).append(new Array<number>(16).fill(0xff)).set(all);
  code.block().loop();
  code.get(start).get(end).op(Op.i32_ge_s).brIf(1);
  code.get(start).simdMem(Simd.v128_load, 4, 0).tee(diff).get(diff).simd(Simd.f32x4_sub).tee(diff).get(diff).simd(Simd.f32x4_eq);
  code.get(all).simd(Simd.v128_and).set(all);
  code.get(start).i32(16).op(Op.i32_add).set(start);
  code.op(Op.br, 0).end().end();
  code.get(all).simd(I32X4_ALL_TRUE);
  return { type: { params: [ValType.i32, ValType.i32], results: [ValType.i32] }, locals: [ValType.v128, ValType.v128], code, export: FINITE_CHECK_EXPORT };
}
