import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NDArray } from '../../src/runtime/ndarray.js';
import {
  CheckpointError,
  decodeFloat64,
  encodeFloat64,
  flattenToTensors,
  readCheckpoint,
  serializeCheckpoint,
  unflattenFromTensors,
  writeCheckpoint,
  type Checkpoint,
} from '../../src/train/checkpoint.js';
import { useTmpDir } from './tmp.js';

const nd = (axes: string[], sizes: number[], values: number[]): NDArray => ({ axes, sizes, data: Float64Array.from(values) });

/** Awkward values: -0, subnormals, extremes, NaN, infinities, values that print long. */
const tricky = [0, -0, 1 / 3, -Math.PI, 5e-324, -2.2250738585072014e-308, Number.MAX_VALUE, NaN, Infinity, -Infinity, 0.1 + 0.2, 1e-300];

function tree() {
  return {
    params: { blocks: [{ w: nd(['C', 'D'], [3, 4], tricky), b: nd(['D'], [4], [1, 2, 3, 4]) }], scale: nd([], [], [0.5]) },
    opt: { m: { blocks: [{ w: nd(['C', 'D'], [3, 4], tricky.map((_, i) => i)), b: nd(['D'], [4], [0, 0, 0, 0]) }], scale: nd([], [], [0]) }, t: nd([], [], [12]) },
    objective: { center: nd(['K'], [5], [0.1, 0.2, 0.3, 0.4, 0.5]) },
  };
}

function checkpoint(): Checkpoint {
  return {
    method: 'dino',
    model: 'xcit-tiny',
    dataset: 'mnist',
    config: { batch: 64, lr: 5e-4, minutes: 5 },
    step: 120,
    epoch: 2,
    key: [0xdeadbeef, 42],
    tensors: flattenToTensors(tree()),
    metrics: [{ step: 100, loss: 3.2 }, { step: 120, loss: 3.1, knnTop1: 91.5 }],
  };
}

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Expect a CheckpointError whose single-line message matches. */
function rejects(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('train/checkpoint', () => {
  const tmp = useTmpDir();

  it('flattens a tree to dotted paths and rebuilds it', () => {
    const tensors = flattenToTensors(tree());
    assert.deepEqual(Object.keys(tensors).sort(), [
      'objective.center', 'opt.m.blocks.0.b', 'opt.m.blocks.0.w', 'opt.m.scale', 'opt.t', 'params.blocks.0.b', 'params.blocks.0.w', 'params.scale',
    ]);
    const back = unflattenFromTensors(tree(), tensors);
    assert.ok(sameBits(back.params.blocks[0]!.w.data, tree().params.blocks[0]!.w.data));
    assert.deepEqual(back.objective.center.axes, ['K']);
    assert.ok(Array.isArray(back.params.blocks));
  });

  it('round-trips bit for bit through a file', () => {
    const path = join(tmp(), 'checkpoint.json');
    const ckpt = checkpoint();
    writeCheckpoint(path, ckpt);
    const back = readCheckpoint(path, { method: 'dino', model: 'xcit-tiny', dataset: 'mnist' });
    assert.equal(back.step, 120);
    assert.equal(back.epoch, 2);
    assert.deepEqual(back.key, [0xdeadbeef, 42]);
    assert.deepEqual(back.config, ckpt.config);
    assert.deepEqual(back.metrics, ckpt.metrics);
    assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(ckpt.tensors).sort());
    for (const [name, x] of Object.entries(ckpt.tensors)) {
      const y = back.tensors[name]!;
      assert.deepEqual(y.axes, x.axes, name);
      assert.deepEqual(y.sizes, x.sizes, name);
      assert.ok(sameBits(y.data, x.data), `${name} bits`);
    }
    assert.ok(Object.is(back.tensors['params.blocks.0.w']!.data[1], -0));
    // and the tree comes back with the same structure
    const restored = unflattenFromTensors(tree(), back.tensors);
    assert.ok(sameBits(restored.opt.m.blocks[0]!.w.data, tree().opt.m.blocks[0]!.w.data));
    // the file is deterministic
    assert.equal(readFileSync(path, 'utf8'), serializeCheckpoint(ckpt));
  });

  it('encodes float64 as base64 of little-endian bytes', () => {
    const enc = encodeFloat64(Float64Array.from([1]));
    assert.equal(enc.data, Buffer.from([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]).toString('base64'));
    const dec = decodeFloat64(enc.data, 1, enc.sha256);
    assert.ok(dec instanceof Float64Array && dec[0] === 1);
  });

  it('writes atomically and leaves no temporary file', () => {
    const dir = tmp();
    const path = join(dir, 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    writeCheckpoint(path, { ...checkpoint(), step: 130 });
    assert.deepEqual(readdirSync(dir), ['checkpoint.json']);
    assert.equal(readCheckpoint(path).step, 130);
  });

  it('keeps the previous checkpoint when the write fails before the rename', () => {
    const dir = tmp();
    const path = join(dir, 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    const before = readFileSync(path);
    assert.throws(
      () =>
        writeCheckpoint(path, { ...checkpoint(), step: 999 }, {
          beforeRename: (tmpPath) => {
            assert.ok(existsSync(tmpPath));
            throw new Error('killed');
          },
        }),
      /killed/,
    );
    assert.ok(readFileSync(path).equals(before));
    assert.deepEqual(readdirSync(dir), ['checkpoint.json']);
    assert.equal(readCheckpoint(path).step, 120);
  });

  it('keeps whatever is at the target when the rename itself fails', () => {
    const dir = tmp();
    const path = join(dir, 'checkpoint.json');
    mkdirSync(path);
    writeFileSync(join(path, 'keep.txt'), 'mine');
    assert.throws(() => writeCheckpoint(path, checkpoint()));
    assert.equal(readFileSync(join(path, 'keep.txt'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir), ['checkpoint.json']);
  });

  it('reports a truncated file in one line', () => {
    const path = join(tmp(), 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    rejects(() => readCheckpoint(path), /^checkpoint .*checkpoint\.json: not valid JSON, the file is truncated or corrupted/);
    writeFileSync(path, '');
    rejects(() => readCheckpoint(path), /checkpoint\.json: the file is empty/);
  });

  it('catches a flipped character in the base64 data by its checksum', () => {
    const path = join(tmp(), 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    const json = JSON.parse(readFileSync(path, 'utf8')) as { tensors: Record<string, { data: string }> };
    const data = json.tensors['params.blocks.0.w']!.data;
    const k = 10;
    const flipped = data.slice(0, k) + (data[k] === 'A' ? 'B' : 'A') + data.slice(k + 1);
    json.tensors['params.blocks.0.w']!.data = flipped;
    writeFileSync(path, JSON.stringify(json));
    rejects(() => readCheckpoint(path), /checkpoint\.json: tensors\.params\.blocks\.0\.w\.data: checksum mismatch/);
    // a character outside the alphabet
    json.tensors['params.blocks.0.w']!.data = data.slice(0, k) + '!' + data.slice(k + 1);
    writeFileSync(path, JSON.stringify(json));
    rejects(() => readCheckpoint(path), /tensors\.params\.blocks\.0\.w\.data: invalid base64 character "!" at 10/);
  });

  it('catches a flipped byte anywhere outside the checksum field name', () => {
    const path = join(tmp(), 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    const bytes = readFileSync(path);
    const exempt = bytes.indexOf('"checksum"');
    for (let i = 0; i < bytes.length - 1; i += 7) {
      if (i >= exempt && i < exempt + 10) continue;
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x04;
      writeFileSync(path, copy);
      rejects(() => readCheckpoint(path), /^checkpoint \S+checkpoint\.json: /);
    }
    // e.g. the step: the fields are well-typed, the checksum tells
    writeFileSync(path, bytes.toString('utf8').replace('"step":120', '"step":130'));
    rejects(() => readCheckpoint(path), /checkpoint\.json: checksum: the file does not match its checksum/);
  });

  it('names a tensor whose data does not fill its sizes', () => {
    const path = join(tmp(), 'checkpoint.json');
    writeCheckpoint(path, checkpoint());
    const json = JSON.parse(readFileSync(path, 'utf8')) as { tensors: Record<string, { sizes: number[]; data: unknown }> };
    json.tensors['objective.center']!.sizes = [6];
    writeFileSync(path, JSON.stringify(json));
    rejects(() => readCheckpoint(path), /tensors\.objective\.center\.data: 40 bytes, needs 48 \(6 float64 values\) for shape \[K=6\]/);
    json.tensors['objective.center']!.sizes = [5];
    json.tensors['objective.center']!.data = [1, 2, 3];
    writeFileSync(path, JSON.stringify(json));
    rejects(() => readCheckpoint(path), /tensors\.objective\.center\.data: 3 values for shape \[K=5\] \(needs 5\)/);
    json.tensors['objective.center']!.data = [1, 2, 3, 4, 5];
    writeFileSync(path, JSON.stringify(json));
    rejects(() => readCheckpoint(path), /checksum: the file does not match its checksum/);
    delete (json as { checksum?: string }).checksum; // an edited file loads once its checksum is removed
    writeFileSync(path, JSON.stringify(json, null, 2));
    assert.deepEqual([...readCheckpoint(path).tensors['objective.center']!.data], [1, 2, 3, 4, 5]);
  });

  it('rejects a wrong format, version, field type, or an unexpected run', () => {
    const dir = tmp();
    const path = join(dir, 'checkpoint.json');
    const good = JSON.parse(serializeCheckpoint(checkpoint())) as Record<string, unknown>;
    const put = (patch: Record<string, unknown>) => writeFileSync(path, JSON.stringify({ ...good, ...patch }));
    put({ format: 'something-else' });
    rejects(() => readCheckpoint(path), /checkpoint\.json: format: not a shapegrad checkpoint/);
    put({ version: 2 });
    rejects(() => readCheckpoint(path), /version: version 2 is not supported \(this shapegrad reads version 1\)/);
    put({ step: 'ten' });
    rejects(() => readCheckpoint(path), /checkpoint\.json: step: expected number, got "ten"/);
    put({ step: 1.5 });
    rejects(() => readCheckpoint(path), /step: 1\.5 is not a step count/);
    put({ key: [1, -1] });
    rejects(() => readCheckpoint(path), /key\.1: -1 is not a uint32 word/);
    put({});
    rejects(() => readCheckpoint(path, { method: 'swav' }), /checkpoint\.json: method: this checkpoint is for method "dino", not "swav"/);
    rejects(() => readCheckpoint(path, { dataset: 'fashion-mnist' }), /dataset: this checkpoint is for dataset "mnist", not "fashion-mnist"/);
    writeFileSync(path, '[1, 2]');
    rejects(() => readCheckpoint(path), /not a shapegrad checkpoint/);
  });

  it('reports a wrong path in one line', () => {
    const dir = tmp();
    rejects(() => readCheckpoint(join(dir, 'nope.json')), /nope\.json: no such file$/);
    rejects(() => readCheckpoint(dir), /is a folder, not a file$/);
  });

  it('names a missing, extra or mismatched tensor when rebuilding a tree', () => {
    const tensors = flattenToTensors(tree());
    const { ['opt.t']: _t, ...missing } = tensors;
    rejects(() => unflattenFromTensors(tree(), missing), /missing tensor opt\.t$/);
    rejects(() => unflattenFromTensors(tree(), { ...tensors, 'params.extra': nd(['D'], [1], [0]) }), /tensor params\.extra has no place in this model/);
    rejects(() => unflattenFromTensors(tree(), { ...tensors, 'objective.center': nd(['K'], [6], [0, 0, 0, 0, 0, 0]) }), /tensor objective\.center has shape \[K=6\], the model expects \[K=5\]/);
    rejects(() => flattenToTensors({ a: { axes: ['C'], sizes: [2] } }), /a is a symbolic tensor/);
    rejects(() => flattenToTensors({ a: 3 }), /tree leaf at a is not a tensor/);
    const bad = { ...checkpoint(), tensors: { w: nd(['C'], [3], [1, 2]) } };
    rejects(() => writeCheckpoint(join(tmp(), 'c.json'), bad), /^cannot write checkpoint \S+c\.json: tensor w has 2 values for shape \[C=3\]$/);
    assert.deepEqual(readdirSync(tmp()), []);
  });
});
