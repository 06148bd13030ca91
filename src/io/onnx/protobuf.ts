/**
 * The protocol-buffer wire format, encode side only, as far as ONNX needs it:
 * varints (wire type 0), 32-bit floats (5) and length-delimited fields (2:
 * bytes, strings, embedded messages, packed repeated ints). A message is
 * built as a list of encoded fields and concatenated.
 */

export type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An integer field (int32/int64/enum); negative values take ten bytes, as int64 does. */
export const int = (field: number, n: number): Field => Uint8Array.from([...tag(field, 0), ...varint(n)]);

export function float32(field: number, x: number): Field {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return Uint8Array.from([...tag(field, 5), ...b]);
}

export const bytes = (field: number, data: Uint8Array): Field => concat([Uint8Array.from([...tag(field, 2), ...varint(data.length)]), data]);

export const string = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));

export const message = (field: number, fields: readonly Field[]): Field => bytes(field, concat(fields));

/** A packed repeated integer field. */
export const packedInts = (field: number, ns: readonly number[]): Field => bytes(field, Uint8Array.from(ns.flatMap((n) => varint(n))));
