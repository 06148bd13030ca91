/**
 * Whether this engine compiles WebAssembly's relaxed SIMD, whose f32x4.relaxed_madd is one fused
 * multiply-add on CPUs that have one (x86-64 with FMA3, ARM64). Chrome 114+ and Node 22+ have it
 * on; Node 20's V8 has it behind --experimental-wasm-relaxed-simd, which is turned on here at run
 * time (v8.setFlagsFromString, process-wide, only once a kernel asks for fma). Elsewhere (an engine
 * without it) the renderer keeps a multiply and an add. docs/decisions.md says why.
 */
import { isNode, nodeBuiltin } from '../../runtime/host.js';

/** A module of one function: (a, b, c) -> f32x4.relaxed_madd(a, b, c). */
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

const validates = (): boolean => {
  const api = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  return api !== undefined && api.validate(PROBE);
};

let known: boolean | undefined;

/** Whether modules using f32x4.relaxed_madd compile here (in Node 20, after turning V8's flag on). */
export function relaxedSimd(): boolean {
  if (known !== undefined) return known;
  known = validates();
  if (!known && isNode) {
    nodeBuiltin<typeof import('node:v8')>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
    known = validates();
  }
  return known;
}
