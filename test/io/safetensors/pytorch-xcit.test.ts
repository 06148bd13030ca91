/**
 * Weights between shapegrad and the official PyTorch XCiT (xcit-tiny, the xcitMnist
 * configuration), both ways, from fixtures made by scripts/pytorch_xcit_interop.py and
 * scripts/interop-shapegrad-xcit.mjs (so this runs without PyTorch). torch builds the Fourier
 * position features in float32 even in a float64 model, shapegrad in float64: hence 1e-7, not
 * 1e-10, against torch's float64 features.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { loadSafetensors } from '../../../src/io/safetensors/tree.js';
import { treeConstants } from '../../../src/io/tree-values.js';
import { xcit, xcitMnist, type XcitParams } from '../../../src/nn/xcit/xcit.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { parameterPaths } from '../../../src/nn/params.js';

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

describe('io/safetensors with the official PyTorch XCiT (xcit-tiny)', () => {
  const model = xcit(xcitMnist);
  const like = model.init(key(0));
  const images = json('images.json');
  const x = fromArray(images.data, ['B', 'Cin', 'H', 'W'], images.shape);
  const features = (p: unknown) => evaluate(model.features(treeConstants<XcitParams>(p), x));

  it("a state_dict saved from the official model (BatchNorm statistics included) loads strictly and gives torch's features", () => {
    const file = loadSafetensors(readFileSync(dir + 'official-xcit-tiny.safetensors'), like);
    assert.deepEqual(file.problems, []);
    assert.equal(file.metadata['made_by'], 'scripts/pytorch_xcit_interop.py official');
    const f = features(file.params);
    const torch = json('official-xcit-tiny.features.json');
    assert.deepEqual(f.sizes, torch.shape);
    const r32 = relDiff(f.data, torch.float32);
    const r64 = relDiff(f.data, torch.float64);
    assert.ok(r32 < 1e-5, `vs torch float32: ${r32}`);
    assert.ok(r64 < 1e-7, `vs torch float64: ${r64}`);
  });

  it('the backbone of a shapegrad run, exported, is the file torch loaded with strict=True, with the same features', () => {
    const bytes = readFileSync(dir + 'shapegrad-xcit-tiny.safetensors');
    const raw = loadSafetensors(bytes);
    assert.deepEqual(Object.keys(raw.tensors).sort(), parameterPaths(like).sort(), 'every tensor of the model, by its official name, and nothing else');
    assert.equal(raw.metadata['source'], 'params.backbone');
    const f = features(loadSafetensors(bytes, like).params);
    // The features shapegrad computed when it exported the file, up to float64 rounding: a change in the
    // order of a sum (the convolution became one contraction over taps and channels) moves the last bits.
    const own = relDiff(f.data, json('shapegrad-xcit-tiny.features.json').float64);
    assert.ok(own < 1e-12, `shapegrad now vs shapegrad at export: ${own}`);
    const torch = json('shapegrad-xcit-tiny.torch-features.json');
    const r32 = relDiff(torch.float32, f.data);
    const r64 = relDiff(torch.float64, f.data);
    assert.ok(r32 < 1e-5, `torch float32 vs shapegrad: ${r32}`);
    assert.ok(r64 < 1e-7, `torch float64 vs shapegrad: ${r64}`);
  });

  it('the XCiT file does not fit another XCiT width: the error names a tensor and both shapes', () => {
    const other = xcit({ ...xcitMnist, embedDim: 16 }).init(key(0));
    assert.throws(() => loadSafetensors(readFileSync(dir + 'official-xcit-tiny.safetensors'), other), /tensor \S+ has shape \[\d+(, \d+)*\] in the file, the model expects/);
  });
});
