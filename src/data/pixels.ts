/** 8-bit pixels to float32 in [0, 1] (v / 255), through a 256-entry table. */
const TABLE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export function bytesToUnit(bytes: ArrayLike<number>, out: Float32Array = new Float32Array(bytes.length), offset = 0): Float32Array {
  const n = bytes.length;
  for (let i = 0; i < n; i++) out[offset + i] = TABLE[bytes[i]!]!;
  return out;
}
