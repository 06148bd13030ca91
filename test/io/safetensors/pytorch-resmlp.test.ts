/**
 * Weights between shapegrad and the official PyTorch ResMLP, both ways, from
 * fixtures made by scripts/pytorch_interop.py and scripts/interop-export-shapegrad.mjs
 * (so this runs without PyTorch).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { loadSafetensors, saveSafetensors } from '../../../src/io/safetensors/tree.js';
import { treeConstants, treeValues } from '../../../src/io/tree-values.js';
import { resmlp, resmlpTinyMnist, type ResMlpParams } from '../../../src/nn/resmlp/resmlp.js';
import { resmlpTiny } from '../../../src/train/models.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';

const dir = 'test/fixtures/interop/';
const json = (f: string) => JSON.parse(readFileSync(dir + f, 'utf8')) as { shape: number[]; data: number[]; float32: number[]; float64: number[] };

/** max |a - b| / max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

describe('io/safetensors with the official PyTorch ResMLP (resmlp-tiny)', () => {
  const model = resmlp(resmlpTinyMnist);
  const like = model.init(key(0), {});
  const images = json('images.json');
  const x = fromArray(images.data, ['B', 'C', 'H', 'W'], images.shape);
  const features = (p: unknown) => evaluate(model.features(treeConstants<ResMlpParams>(p), x));

  it('a state_dict saved from the official model loads strictly and gives torch\'s features', () => {
    const file = loadSafetensors(readFileSync(dir + 'official-resmlp-tiny.safetensors'), like);
    assert.deepEqual(file.problems, []);
    assert.equal(file.metadata['format'], 'pt');
    const f = features(file.params);
    const torch = json('official-resmlp-tiny.features.json');
    assert.deepEqual(f.sizes, torch.shape);
    const r32 = relDiff(f.data, torch.float32);
    const r64 = relDiff(f.data, torch.float64);
    assert.ok(r32 < 1e-4, `vs torch float32: ${r32}`);
    assert.ok(r64 < 1e-10, `vs torch float64: ${r64}`);
  });

  it('a shapegrad backbone written as safetensors is the file torch loaded with strict=True, with the same features', () => {
    const params = treeValues(resmlpTiny().init(key(17)));
    const bytes = saveSafetensors(params, { dtype: 'F32', metadata: { format: 'pt', model: 'resmlp-tiny', made_by: 'scripts/interop-export-shapegrad.mjs' } });
    assert.deepEqual(bytes, new Uint8Array(readFileSync(dir + 'shapegrad-resmlp-tiny.safetensors')), 'byte-identical to the fixture');
    const f = features(loadSafetensors(bytes, params).params);
    const ours = json('shapegrad-resmlp-tiny.features.json');
    assert.deepEqual(Array.from(f.data), ours.float64);
    const torch = json('shapegrad-resmlp-tiny.torch-features.json');
    const r32 = relDiff(torch.float32, f.data);
    const r64 = relDiff(torch.float64, f.data);
    assert.ok(r32 < 1e-4, `torch float32 vs shapegrad: ${r32}`);
    assert.ok(r64 < 1e-10, `torch float64 vs shapegrad: ${r64}`);
  });

  it('the official file does not fit another configuration: the error names the tensor and both shapes', () => {
    const other = resmlp({ ...resmlpTinyMnist, embedDim: 16 }).init(key(0), {});
    assert.throws(() => loadSafetensors(readFileSync(dir + 'official-resmlp-tiny.safetensors'), other), /tensor blocks\.0\.gamma_1 has shape \[32\] in the file, the model expects \[C=16\]/);
  });
});
