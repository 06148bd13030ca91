/**
 * The safetensors container (https://github.com/huggingface/safetensors), as
 * bytes in and bytes out:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [2, 3],
 *             "data_offsets": [begin, end] }, ..., "__metadata__": { "<k>": "<v>" } },
 *             padded with spaces (0x20) so that the data starts 8-byte aligned
 *   rest      the data buffer: each tensor's elements row-major, little-endian,
 *             at [begin, end) relative to the buffer's start
 *
 * The reader checks what the reference implementation checks: the header
 * fits in the file, is a JSON object, every dtype is known, every shape
 * agrees with its byte range, and the ranges tile the buffer exactly (no
 * overlap, no hole, nothing past the end). Every failure is a
 * {@link SafetensorsError} whose one-line message names the tensor.
 */
import { bytesPerElement, decodeFloats, encodeFloats, isFloatDtype, otherDtypes, type FloatDtype } from './dtypes.js';
import { numelOf } from '../../runtime/ndarray.js';

/** A safetensors file that cannot be read, or whose tensors do not match the model they are loaded into (the message names the tensor). */
export class SafetensorsError extends Error {
  constructor(message: string, readonly tensor?: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** One tensor: its name, dtype on disk, shape, and values (row-major, float64). */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: FloatDtype;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** A safetensors file's tensors by name, and its metadata. */
export interface SafetensorsContents {
  /** In file order (by data offset). */
  readonly tensors: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** The reference implementation refuses headers over 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA = '__metadata__';

const numel = numelOf;
const showShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The file's bytes: tensors in the given order, each in the given dtype. */
export function encodeSafetensors(tensors: readonly Omit<SafetensorsEntry, 'dtype'>[], dtype: FloatDtype, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new SafetensorsError(`metadata ${k}: values must be strings, got ${typeof v}`);
    header[METADATA] = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === METADATA || seen.has(t.name)) throw new SafetensorsError(`tensor name ${t.name} is ${t.name === METADATA ? 'reserved' : 'used twice'}`, t.name);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`tensor ${t.name}: shape ${showShape(t.shape)} is not a list of non-negative integers`, t.name);
    if (numel(t.shape) !== t.data.length) throw new SafetensorsError(`tensor ${t.name}: shape ${showShape(t.shape)} holds ${numel(t.shape)} elements, the data ${t.data.length}`, t.name);
    const bytes = encodeFloats(t.data, dtype);
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

interface RawEntry {
  readonly name: string;
  readonly dtype: FloatDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

function checkEntry(name: string, info: unknown, bufferLength: number): RawEntry {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new SafetensorsError(`tensor ${name}: header entry is not an object`, name);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new SafetensorsError(`tensor ${name}: dtype missing or not a string`, name);
  if (!isFloatDtype(dtype)) {
    if (otherDtypes.includes(dtype)) throw new SafetensorsError(`tensor ${name}: dtype ${dtype} is not supported (floating-point parameters only: F64, F32, F16, BF16)`, name);
    throw new SafetensorsError(`tensor ${name}: unknown dtype ${JSON.stringify(dtype)}`, name);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new SafetensorsError(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`, name);
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new SafetensorsError(`tensor ${name}: data_offsets [${begin}, ${end}] end before they begin`, name);
  if (end > bufferLength) throw new SafetensorsError(`tensor ${name}: data_offsets [${begin}, ${end}] run past the end of the data buffer (${bufferLength} bytes)`, name);
  const want = numel(shape as number[]) * bytesPerElement[dtype];
  if (end - begin !== want) throw new SafetensorsError(`tensor ${name}: shape ${showShape(shape as number[])} of ${dtype} needs ${want} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`, name);
  return { name, dtype, shape: shape as number[], begin, end };
}

function checkMetadata(meta: unknown): Record<string, string> {
  if (meta === undefined) return {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new SafetensorsError('__metadata__ is not an object of strings');
  for (const [k, v] of Object.entries(meta)) if (typeof v !== 'string') throw new SafetensorsError(`__metadata__.${k} is not a string (got ${JSON.stringify(v)})`);
  return { ...(meta as Record<string, string>) };
}

/** Ranges sorted by begin must follow one another from 0 to the buffer's end. */
function checkTiling(entries: readonly RawEntry[], bufferLength: number): RawEntry[] {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: RawEntry | undefined;
  for (const e of sorted) {
    if (e.begin < at) throw new SafetensorsError(`tensor ${e.name}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${previous!.name}'s [${previous!.begin}, ${previous!.end}]`, e.name);
    if (e.begin > at) throw new SafetensorsError(`tensor ${e.name}: data_offsets [${e.begin}, ${e.end}] leave a hole at bytes [${at}, ${e.begin}) of the data buffer`, e.name);
    at = e.end;
    previous = e;
  }
  if (at !== bufferLength) throw new SafetensorsError(`the data buffer holds ${bufferLength} bytes, the tensors cover ${at} (trailing bytes)`);
  return sorted;
}

/** Parse and check a safetensors file's bytes. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw new SafetensorsError(`not a safetensors file: ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) throw new SafetensorsError(`header length ${n} is over the limit of ${MAX_HEADER_BYTES} bytes (not a safetensors file?)`);
  if (8 + n > bytes.length) throw new SafetensorsError(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) throw new Error('it does not start with {');
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError('header is not a JSON object');
  const bufferStart = 8 + n;
  const bufferLength = bytes.length - bufferStart;
  const { [METADATA]: meta, ...rest } = header as Record<string, unknown>;
  const metadata = checkMetadata(meta);
  const entries = checkTiling(
    Object.entries(rest).map(([name, info]) => checkEntry(name, info, bufferLength)),
    bufferLength,
  );
  return {
    metadata,
    tensors: entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, data: decodeFloats(bytes, bufferStart + e.begin, numel(e.shape), e.dtype) })),
  };
}
