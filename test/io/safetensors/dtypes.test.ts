import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodeFloats, encodeFloats, type FloatDtype } from '../../../src/io/safetensors/dtypes.js';

const bitsOf = (x: number, dtype: 'F16' | 'BF16') => new DataView(encodeFloats([x], dtype).buffer).getUint16(0, true);
const fromBits = (bits: number, dtype: FloatDtype) => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, bits, true);
  return decodeFloats(b, 0, 1, dtype)[0]!;
};

describe('io/safetensors/dtypes', () => {
  it('encodes known F16 and BF16 bit patterns', () => {
    const f16: Array<[number, number]> = [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519.99, 0x7bff], [65520, 0x7c00], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -26, 0x0001], [2 ** -14, 0x0400], [-0, 0x8000], [Infinity, 0x7c00], [NaN, 0x7e00], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 / 3, 0x3555]];
    for (const [x, bits] of f16) assert.equal(bitsOf(x, 'F16'), bits, `F16 ${x}`);
    const bf16: Array<[number, number]> = [[1, 0x3f80], [-3.140625, 0xc049], [Math.PI, 0x4049], [2 ** -133, 0x0001], [NaN, 0x7fc0], [3.4e38, 0x7f80], [-Infinity, 0xff80]];
    for (const [x, bits] of bf16) assert.equal(bitsOf(x, 'BF16'), bits, `BF16 ${x}`);
  });

  it('every 16-bit pattern decodes and encodes back to itself (F16 and BF16, NaNs aside)', () => {
    for (const dtype of ['F16', 'BF16'] as const) {
      for (let bits = 0; bits < 65536; bits++) {
        const x = fromBits(bits, dtype);
        if (!Number.isNaN(x)) assert.equal(bitsOf(x, dtype), bits, `${dtype} 0x${bits.toString(16)} = ${x}`);
      }
    }
  });

  it('rounds to the nearest F16/BF16 value (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -60000, max: 60000, noNaN: true }), (x) => {
        for (const dtype of ['F16', 'BF16'] as const) {
          const bits = bitsOf(x, dtype);
          const v = fromBits(bits, dtype);
          const neighbours = [fromBits((bits + 1) & 0xffff, dtype), fromBits((bits - 1) & 0xffff, dtype)].filter(Number.isFinite);
          for (const n of neighbours) if (Math.abs(x - n) < Math.abs(x - v)) return false;
        }
        return true;
      }),
    );
  });

  it('F64 is exact and F32 is Math.fround (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 20 }), (xs) => {
        const f64 = decodeFloats(encodeFloats(xs, 'F64'), 0, xs.length, 'F64');
        const f32 = decodeFloats(encodeFloats(xs, 'F32'), 0, xs.length, 'F32');
        return xs.every((x, i) => Object.is(f64[i], x) && Object.is(f32[i], Math.fround(x)));
      }),
    );
  });

  it('reads at any byte alignment', () => {
    const b = new Uint8Array(1 + 8);
    b.set(encodeFloats([1.25], 'F64'), 1);
    assert.equal(decodeFloats(b, 1, 1, 'F64')[0], 1.25);
  });
});
