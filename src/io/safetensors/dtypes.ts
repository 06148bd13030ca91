/**
 * The floating-point element types of safetensors and their little-endian
 * byte codecs: F64 and F32 (IEEE binary64/binary32), F16 (binary16) and BF16
 * (bfloat16: the top half of a binary32). Values are float64 in memory;
 * writing rounds to nearest, ties to even (overflow goes to ±Infinity), and
 * reading is exact.
 */

export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/** The floating-point safetensors dtypes this library reads. */
export const floatDtypes: readonly FloatDtype[] = ['F64', 'F32', 'F16', 'BF16'];

/** Dtypes the format defines that this reader does not turn into floats. */
export const otherDtypes: readonly string[] = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64'];

export const bytesPerElement: Readonly<Record<FloatDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

export function isFloatDtype(x: unknown): x is FloatDtype {
  return typeof x === 'string' && (floatDtypes as readonly string[]).includes(x);
}

/** A binary floating-point format with 1 sign bit, `exp` exponent bits and `man` mantissa bits. */
interface Minifloat {
  readonly exp: number;
  readonly man: number;
}

const half: Minifloat = { exp: 5, man: 10 };
const bfloat: Minifloat = { exp: 8, man: 7 };

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The bits of the nearest representable value (ties to even); NaN becomes the quiet NaN. */
export function encodeMinifloat(x: number, fmt: Minifloat): number {
  const bias = 2 ** (fmt.exp - 1) - 1;
  const expMask = 2 ** fmt.exp - 1;
  const sign = x < 0 || Object.is(x, -0) ? 2 ** (fmt.exp + fmt.man) : 0;
  const inf = sign + expMask * 2 ** fmt.man;
  if (Number.isNaN(x)) return expMask * 2 ** fmt.man + 2 ** (fmt.man - 1);
  const a = Math.abs(x);
  if (a === Infinity) return inf;
  if (a === 0) return sign;
  const emin = 1 - bias;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  if (e < emin) {
    // Subnormal (or rounds up into the smallest normal, whose bits follow on).
    return sign + roundHalfEven(a / 2 ** (emin - fmt.man));
  }
  let m = roundHalfEven((a / 2 ** e - 1) * 2 ** fmt.man);
  let field = e + bias;
  if (m === 2 ** fmt.man) {
    m = 0;
    field++;
  }
  if (field >= expMask) return inf;
  return sign + field * 2 ** fmt.man + m;
}

export function decodeMinifloat(bits: number, fmt: Minifloat): number {
  const bias = 2 ** (fmt.exp - 1) - 1;
  const expMask = 2 ** fmt.exp - 1;
  const sign = bits >= 2 ** (fmt.exp + fmt.man) ? -1 : 1;
  const field = Math.floor(bits / 2 ** fmt.man) & expMask;
  const m = bits % 2 ** fmt.man;
  if (field === expMask) return m === 0 ? sign * Infinity : NaN;
  if (field === 0) return sign * m * 2 ** (1 - bias - fmt.man);
  return sign * (1 + m / 2 ** fmt.man) * 2 ** (field - bias);
}

/** Little-endian bytes of the values in the given dtype. */
export function encodeFloats(values: ArrayLike<number>, dtype: FloatDtype): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * bytesPerElement[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (dtype) {
      case 'F64':
        view.setFloat64(8 * i, v, true);
        break;
      case 'F32':
        view.setFloat32(4 * i, v, true);
        break;
      case 'F16':
        view.setUint16(2 * i, encodeMinifloat(v, half), true);
        break;
      case 'BF16':
        view.setUint16(2 * i, encodeMinifloat(v, bfloat), true);
        break;
    }
  }
  return out;
}

/** float64 values of `count` elements of the dtype at `offset` in `bytes` (any alignment). */
export function decodeFloats(bytes: Uint8Array, offset: number, count: number, dtype: FloatDtype): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * bytesPerElement[dtype]);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(8 * i, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(4 * i, true);
        break;
      case 'F16':
        out[i] = decodeMinifloat(view.getUint16(2 * i, true), half);
        break;
      case 'BF16':
        out[i] = decodeMinifloat(view.getUint16(2 * i, true), bfloat);
        break;
    }
  }
  return out;
}
