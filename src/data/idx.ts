/**
 * The IDX file format (LeCun's MNIST distribution format):
 *
 *   bytes 0-1   0x00 0x00
 *   byte  2     element type: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32,
 *               0x0D float32, 0x0E float64 (all big-endian)
 *   byte  3     number of dimensions d
 *   then d      uint32 big-endian sizes, then the elements, row-major.
 *
 * Everything is validated and every error names the file and says what was
 * expected and what was found: a wrong magic number, an unknown type code, a
 * header or body shorter than the dimensions require (a truncated file), or
 * trailing bytes after the last element.
 */
import { numelOf } from '../runtime/ndarray.js';

/** The element type of an IDX file (its type code's name). */
export type IdxType = 'ubyte' | 'sbyte' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Readonly<Record<number, { readonly type: IdxType; readonly bytes: number }>> = {
  0x08: { type: 'ubyte', bytes: 1 },
  0x09: { type: 'sbyte', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

const CODES: Readonly<Record<IdxType, number>> = { ubyte: 0x08, sbyte: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

/** A parsed IDX file: its element type, dimensions and data. */
export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  /** Row-major elements: a view into the file's bytes for ubyte, a decoded copy otherwise. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** What an IDX file must hold (type and dimensions), checked when it is parsed. */
export interface IdxExpectation {
  /** Required element type. */
  readonly type?: IdxType;
  /** Required dimensions; a null entry accepts any size on that axis. */
  readonly dims?: readonly (number | null)[];
}

/** A malformed IDX file; `file` names it. */
export class IdxError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`IDX file ${file}: ${detail}`);
    this.name = 'IdxError';
  }
}

const hex = (n: number, digits = 8): string => `0x${n.toString(16).padStart(digits, '0')}`;
const magicOf = (type: IdxType, rank: number): number => ((CODES[type] << 8) | rank) >>> 0;
const describeMagic = (type: IdxType, rank: number): string => `${hex(magicOf(type, rank))} (${type}, ${rank} dimension${rank === 1 ? '' : 's'})`;

/** Magic number an IDX file of this type and rank starts with. */
export function idxMagic(type: IdxType, rank: number): number {
  return magicOf(type, rank);
}

/**
 * Parse IDX bytes. `file` names the source in error messages; `expect`
 * optionally pins the element type and dimensions (checked against the magic
 * number and header before any element is read).
 */
export function parseIdx(bytes: Uint8Array, file: string, expect: IdxExpectation = {}): IdxArray {
  const fail = (detail: string): never => {
    throw new IdxError(file, detail);
  };
  if (bytes.length < 4) fail(`truncated: the 4-byte magic number needs 4 bytes, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const code = bytes[2]!;
  const rank = bytes[3]!;
  const expectedRank = expect.dims?.length;
  const spec = TYPES[code];
  if (bytes[0] !== 0 || bytes[1] !== 0 || spec === undefined || (expect.type !== undefined && spec.type !== expect.type) || (expectedRank !== undefined && rank !== expectedRank)) {
    const t = expect.type;
    const wanted =
      t !== undefined && expectedRank !== undefined
        ? describeMagic(t, expectedRank)
        : t !== undefined
          ? `0x0000${CODES[t].toString(16).padStart(2, '0')}DD (${t}, DD dimensions)`
          : expectedRank !== undefined
            ? `0x0000TT${expectedRank.toString(16).padStart(2, '0')} (${expectedRank} dimension${expectedRank === 1 ? '' : 's'}; TT in 08, 09, 0b, 0c, 0d, 0e)`
            : 'an IDX magic number 0x0000TTDD (TT in 08, 09, 0b, 0c, 0d, 0e)';
    const got = spec !== undefined && bytes[0] === 0 && bytes[1] === 0 ? describeMagic(spec.type, rank) : hex(magic);
    fail(`wrong magic number: expected ${wanted}, found ${got}`);
  }
  const { type, bytes: width } = spec!;
  const header = 4 + 4 * rank;
  if (bytes.length < header) fail(`truncated header: ${rank} dimensions need a ${header}-byte header, found ${bytes.length} bytes`);
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  expect.dims?.forEach((want, d) => {
    if (want !== null && dims[d] !== want) fail(`dimension ${d} is ${dims[d]}, expected ${want} (dims [${dims.join(', ')}])`);
  });
  const count = numelOf(dims);
  const body = count * width;
  const found = bytes.length - header;
  if (found < body) fail(`truncated: dims [${dims.join(', ')}] of ${type} need ${body} bytes after the ${header}-byte header, found ${found}`);
  if (found > body) fail(`${found - body} trailing bytes: dims [${dims.join(', ')}] of ${type} need exactly ${body} bytes after the ${header}-byte header, found ${found}`);
  const start = bytes.byteOffset + header;
  let data: IdxArray['data'];
  switch (type) {
    case 'ubyte':
      data = new Uint8Array(bytes.buffer, start, count);
      break;
    case 'sbyte':
      data = new Int8Array(bytes.buffer, start, count);
      break;
    case 'int16':
      data = Int16Array.from({ length: count }, (_, i) => view.getInt16(header + 2 * i, false));
      break;
    case 'int32':
      data = Int32Array.from({ length: count }, (_, i) => view.getInt32(header + 4 * i, false));
      break;
    case 'float32':
      data = Float32Array.from({ length: count }, (_, i) => view.getFloat32(header + 4 * i, false));
      break;
    case 'float64':
      data = Float64Array.from({ length: count }, (_, i) => view.getFloat64(header + 8 * i, false));
      break;
  }
  return Object.freeze({ type, dims: Object.freeze(dims), data });
}

/** Encode an array as IDX bytes (for tests and for writing small fixtures). */
export function encodeIdx(type: IdxType, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const width = Object.values(TYPES).find((t) => t.type === type)!.bytes;
  const count = numelOf(dims);
  if (values.length !== count) throw new RangeError(`encodeIdx: dims [${dims.join(', ')}] need ${count} values, got ${values.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * width);
  const view = new DataView(out.buffer);
  view.setUint32(0, magicOf(type, dims.length), false);
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    const at = header + i * width;
    if (type === 'ubyte') view.setUint8(at, v);
    else if (type === 'sbyte') view.setInt8(at, v);
    else if (type === 'int16') view.setInt16(at, v, false);
    else if (type === 'int32') view.setInt32(at, v, false);
    else if (type === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
