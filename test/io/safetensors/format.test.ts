import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../../src/io/safetensors/format.js';

/** A file with the given header object and data buffer. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let h = new TextEncoder().encode(JSON.stringify(header));
  if (pad) {
    const padded = new Uint8Array(Math.ceil((8 + h.length) / 8) * 8 - 8).fill(0x20);
    padded.set(h);
    h = padded;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const throwsMatching = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof SafetensorsError && re.test(e.message));

describe('io/safetensors/format', () => {
  it('lays the file out as the spec says: u64 LE length, JSON header padded to 8, data in order', () => {
    const bytes = encodeSafetensors([{ name: 'a.weight', shape: [2], data: new Float64Array([1, 2]) }, { name: 'b', shape: [], data: new Float64Array([3]) }], 'F32', { format: 'pt' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    assert.equal(new DataView(bytes.buffer).getUint32(4, true), 0);
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header, { __metadata__: { format: 'pt' }, 'a.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [], data_offsets: [8, 12] } });
    assert.equal(bytes.length, 8 + n + 12);
    assert.deepEqual(Array.from(new Float32Array(bytes.slice(8 + n).buffer)), [1, 2, 3]);
  });

  it('reads a file written by Python (scripts/safetensors_fixture.py): F64, F32, F16, BF16, a scalar, metadata', () => {
    const bytes = readFileSync('test/fixtures/safetensors/python-written.safetensors');
    const want = JSON.parse(readFileSync('test/fixtures/safetensors/python-written.json', 'utf8')) as { order: string[]; metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; data: number[] }> };
    const got = decodeSafetensors(bytes);
    assert.deepEqual(got.metadata, want.metadata);
    assert.deepEqual(got.tensors.map((t) => t.name), want.order);
    for (const t of got.tensors) {
      const w = want.tensors[t.name]!;
      assert.equal(t.dtype, w.dtype);
      assert.deepEqual(t.shape, w.shape);
      assert.deepEqual(Array.from(t.data), w.data, t.name);
    }
    assert.ok(Object.is(got.tensors.find((t) => t.name === 'norm.alpha')!.data[2], -0));
  });

  it('accepts an unpadded header and an empty file', () => {
    assert.deepEqual(decodeSafetensors(file({ x: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8), false)).tensors.length, 1);
    assert.deepEqual(decodeSafetensors(file({})).tensors, []);
    assert.deepEqual(decodeSafetensors(file({ z: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] } })).tensors[0]!.shape, [0, 3]);
  });

  it('rejects malformed bytes with a message naming the problem', () => {
    throwsMatching(() => decodeSafetensors(new Uint8Array(5)), /fewer than the 8/);
    const long = file({});
    new DataView(long.buffer).setUint32(0, 1000, true);
    throwsMatching(() => decodeSafetensors(long), /header length 1000 runs past the end of the file \(16 bytes\)/);
    const huge = file({});
    new DataView(huge.buffer).setUint32(4, 1, true);
    throwsMatching(() => decodeSafetensors(huge), /over the limit/);
    const garbage = file({});
    garbage[8] = 0x5b; // '['
    throwsMatching(() => decodeSafetensors(garbage), /not UTF-8 JSON/);
    const d8 = new Uint8Array(8);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'F31', shape: [2], data_offsets: [0, 8] } }, d8)), /tensor w: unknown dtype "F31"/);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, d8)), /tensor w: dtype I64 is not supported/);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, d8)), /tensor w: shape \[3\] of F32 needs 12 bytes, data_offsets \[0, 8\] give 8/);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, d8)), /tensor w: data_offsets \[0, 16\] run past the end of the data buffer \(8 bytes\)/);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, d8)), /tensor w: shape \[-1\]/);
    throwsMatching(() => decodeSafetensors(file({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, d8)), /end before they begin/);
    throwsMatching(() => decodeSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d8)), /tensor b: data_offsets \[4, 8\] overlap tensor a's \[0, 8\]/);
    throwsMatching(() => decodeSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d8)), /tensor a: .* leave a hole at bytes \[0, 4\)/);
    throwsMatching(() => decodeSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, d8)), /holds 8 bytes, the tensors cover 4/);
    throwsMatching(() => decodeSafetensors(file({ __metadata__: { n: 3 } })), /__metadata__\.n is not a string/);
    throwsMatching(() => decodeSafetensors(file({ a: [1] })), /tensor a: header entry is not an object/);
  });

  it('refuses to write what it could not read back', () => {
    throwsMatching(() => encodeSafetensors([{ name: 'a', shape: [3], data: new Float64Array(2) }], 'F32'), /shape \[3\] holds 3 elements, the data 2/);
    throwsMatching(() => encodeSafetensors([{ name: '__metadata__', shape: [], data: new Float64Array(1) }], 'F32'), /reserved/);
  });
});
