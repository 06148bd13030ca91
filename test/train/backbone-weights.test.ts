import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBackboneWeights } from '../../src/train/backbone-weights.js';
import { SafetensorsError } from '../../src/io/safetensors/format.js';
import { saveSafetensors } from '../../src/io/safetensors/tree.js';
import { resmlpTiny } from '../../src/train/models.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { setPath } from '../../src/nn/params.js';

describe('train/backbone-weights', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shapegrad-weights-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const weights = evaluate(resmlpTiny().init(key(4)));
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const fails = (path: string, model: 'resmlp-tiny' | 'xcit-tiny', pattern: RegExp) =>
    assert.throws(
      () => readBackboneWeights(path, model),
      (e: unknown) => e instanceof SafetensorsError && pattern.test(e.message) && !e.message.includes('\n'),
    );

  it('reads a file that fits the model (F64: the same values)', () => {
    const got = flattenToTensors(readBackboneWeights(file('ok.safetensors', saveSafetensors(weights, { dtype: 'F64' })), 'resmlp-tiny'));
    const want = flattenToTensors(weights);
    for (const name of Object.keys(want)) assert.deepEqual(got[name]!.data, want[name]!.data, name);
  });

  it('names the file and what is wrong: absent, a folder, not safetensors, another model, unrelated tensors, a mis-shaped tensor', () => {
    fails(join(dir, 'absent.safetensors'), 'resmlp-tiny', /weights file .*absent\.safetensors does not exist/);
    fails(dir, 'resmlp-tiny', /is a folder/);
    fails(file('text.safetensors', '{"hello": 1}'), 'resmlp-tiny', /text\.safetensors: /);
    fails(file('tagged.safetensors', saveSafetensors(weights, { metadata: { model: 'resmlp-tiny' } })), 'xcit-tiny', /holds resmlp-tiny weights \(its metadata\), not xcit-tiny: give --model resmlp-tiny/);
    fails(file('untagged.safetensors', saveSafetensors(weights)), 'xcit-tiny', /only \d+ of the \d+ tensors of xcit-tiny are in the file \(it holds .*\): not xcit-tiny weights\?/);
    fails(file('features.safetensors', saveSafetensors({ features: { axes: ['N', 'C'], sizes: [2, 3], data: new Float64Array(6) } })), 'resmlp-tiny', /none of the 30 tensors of resmlp-tiny are in the file \(it holds features \[2, 3\]\)/);
    const bad = setPath(weights, 'blocks.0.gamma_1', { axes: ['C'], sizes: [31], data: new Float64Array(31) });
    fails(file('shape.safetensors', saveSafetensors(bad)), 'resmlp-tiny', /tensor blocks\.0\.gamma_1 has shape \[31\] in the file, the model expects \[C=32\]/);
  });
});
