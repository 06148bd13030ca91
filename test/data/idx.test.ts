import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx, idxMagic, IdxError, parseIdx } from '../../src/data/idx.js';
import { readIdx } from '../../src/data/idx-file.js';

describe('data/idx', () => {
  const images = encodeIdx('ubyte', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i * 10));

  it('parses a tiny generated file: magic, type, dims, row-major data', () => {
    assert.equal(idxMagic('ubyte', 3), 0x00000803);
    assert.deepEqual(Array.from(images.subarray(0, 4)), [0, 0, 8, 3]);
    const a = parseIdx(images, 'tiny');
    assert.equal(a.type, 'ubyte');
    assert.deepEqual(a.dims, [2, 3, 4]);
    assert.deepEqual(Array.from(a.data), Array.from({ length: 24 }, (_, i) => i * 10));
    const checked = parseIdx(images, 'tiny', { type: 'ubyte', dims: [null, 3, 4] });
    assert.deepEqual(checked.dims, [2, 3, 4]);
  });

  it('decodes big-endian multi-byte types', () => {
    assert.deepEqual(Array.from(parseIdx(encodeIdx('int16', [3], [-2, 300, 7]), 'i16').data), [-2, 300, 7]);
    assert.deepEqual(Array.from(parseIdx(encodeIdx('int32', [2], [-70000, 1 << 30]), 'i32').data), [-70000, 1 << 30]);
    assert.deepEqual(Array.from(parseIdx(encodeIdx('float32', [2], [0.5, -1.25]), 'f32').data), [0.5, -1.25]);
    assert.deepEqual(Array.from(parseIdx(encodeIdx('float64', [1, 2], [Math.PI, -1e300]), 'f64').data), [Math.PI, -1e300]);
    assert.deepEqual(Array.from(parseIdx(encodeIdx('sbyte', [2], [-128, 127]), 's8').data), [-128, 127]);
    const empty = parseIdx(encodeIdx('ubyte', [0, 28], []), 'empty');
    assert.deepEqual(empty.dims, [0, 28]);
  });

  it('a truncated body names the file, the bytes needed and the bytes found', () => {
    const cut = images.subarray(0, images.length - 5);
    assert.throws(
      () => parseIdx(cut, 'train-images-idx3-ubyte'),
      (e: Error) =>
        e instanceof IdxError &&
        e.message === 'IDX file train-images-idx3-ubyte: truncated: dims [2, 3, 4] of ubyte need 24 bytes after the 16-byte header, found 19',
    );
  });

  it('a truncated header and a too-short file are errors too', () => {
    assert.throws(() => parseIdx(images.subarray(0, 10), 'f'), /IDX file f: truncated header: 3 dimensions need a 16-byte header, found 10 bytes/);
    assert.throws(() => parseIdx(images.subarray(0, 2), 'f'), /IDX file f: truncated: the 4-byte magic number needs 4 bytes, found 2/);
  });

  it('a wrong magic number gives expected vs found', () => {
    const labels = encodeIdx('ubyte', [5], [1, 2, 3, 4, 5]);
    assert.throws(
      () => parseIdx(labels, 'labels', { type: 'ubyte', dims: [null, 28, 28] }),
      (e: Error) => e.message === 'IDX file labels: wrong magic number: expected 0x00000803 (ubyte, 3 dimensions), found 0x00000801 (ubyte, 1 dimension)',
    );
    const garbage = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]); // a zip header
    assert.throws(() => parseIdx(garbage, 'data.zip', { type: 'ubyte', dims: [null] }), /IDX file data\.zip: wrong magic number: expected 0x00000801 \(ubyte, 1 dimension\), found 0x504b0304/);
    const badType = Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]);
    assert.throws(() => parseIdx(badType, 'x'), /IDX file x: wrong magic number: expected an IDX magic number .* found 0x00000701/);
    assert.throws(() => parseIdx(encodeIdx('float32', [1], [1]), 'x', { type: 'ubyte' }), /IDX file x: wrong magic number: expected 0x000008DD \(ubyte, DD dimensions\), found 0x00000d01 \(float32, 1 dimension\)/);
  });

  it('rejects trailing bytes and dimensions that differ from the expected ones', () => {
    const long = new Uint8Array(images.length + 3);
    long.set(images);
    assert.throws(() => parseIdx(long, 'f'), /IDX file f: 3 trailing bytes: dims \[2, 3, 4\] of ubyte need exactly 24 bytes/);
    assert.throws(() => parseIdx(images, 'f', { dims: [2, 28, 28] }), /IDX file f: dimension 1 is 3, expected 28 \(dims \[2, 3, 4\]\)/);
  });

  it('readIdx names a missing file and reads a written one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    try {
      const path = join(dir, 'tiny-idx3-ubyte');
      writeFileSync(path, images);
      assert.deepEqual(readIdx(path).dims, [2, 3, 4]);
      assert.throws(() => readIdx(join(dir, 'missing')), (e: Error) => e instanceof IdxError && e.message === `IDX file ${join(dir, 'missing')}: no such file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
