/**
 * ONNX export checked by onnxruntime-node (a devDependency installed with
 * --ignore-scripts: its CPU binary ships inside the package) against the
 * float64 reference interpreter.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exportOnnx, OnnxExportError } from '../../../src/io/onnx/export.js';
import { trace, spec, type Program } from '../../../src/ir/trace.js';
import { evaluate, run } from '../../../src/runtime/interpret.js';
import { resmlp, resmlpTinyMnist } from '../../../src/nn/resmlp/resmlp.js';
import { loadSafetensors } from '../../../src/io/safetensors/tree.js';
import { treeConstants } from '../../../src/io/tree-values.js';
import { xcitTiny } from '../../../src/train/models.js';
import { key } from '../../../src/runtime/prng.js';
import { softmax } from '../../../src/ops/softmax.js';
import { oneHot } from '../../../src/ops/gather.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import type { NDArray } from '../../../src/runtime/ndarray.js';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
try {
  ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
} catch {
  ort = undefined;
}

/** Run the model in onnxruntime on float32 inputs; outputs as float64. */
async function runOrt(model: Uint8Array, inputs: Readonly<Record<string, NDArray>>): Promise<Float64Array[]> {
  const session = await ort!.InferenceSession.create(model);
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const [name, x] of Object.entries(inputs)) feeds[name] = new ort!.Tensor('float32', Float32Array.from(x.data), [...x.sizes]);
  const out = await session.run(feeds);
  return session.outputNames.map((n) => Float64Array.from(out[n]!.data as Float32Array));
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function checkAgainstReference(program: Program<any, any>, inputs: NDArray[], tol = 1e-4): Promise<number> {
  const want = run(program as never, ...(inputs as never[])) as unknown;
  const wantList = (Array.isArray(want) ? want : [want]) as NDArray[];
  const names = program.inputPaths.map((_, i) => `in${i}`);
  const model = exportOnnx(program, { inputNames: names });
  const got = await runOrt(model, Object.fromEntries(names.map((n, i) => [n, inputs[i]!])));
  const r = Math.max(...wantList.map((w, i) => relDiff(got[i]!, w.data)));
  assert.ok(r < tol, `onnxruntime vs float64 reference: ${r}`);
  return r;
}

describe('io/onnx/export', function () {
  before(function () {
    if (ort === undefined) this.skip();
  });

  it('resmlp-tiny features (the official weights of test/fixtures/interop) match the float64 reference in onnxruntime', async () => {
    const model = resmlp(resmlpTinyMnist);
    const params = treeConstants<ReturnType<typeof model.init>>(loadSafetensors(readFileSync('test/fixtures/interop/official-resmlp-tiny.safetensors'), model.init(key(0), {})).params);
    const images = JSON.parse(readFileSync('test/fixtures/interop/images.json', 'utf8')) as { shape: number[]; data: number[] };
    const program = trace((x: Tensor<['B', 'C', 'H', 'W']>) => model.features(params, x), spec(['B', 'C', 'H', 'W'], images.shape, 'images'));
    const r = await checkAgainstReference(program, [{ axes: ['B', 'C', 'H', 'W'], sizes: images.shape, data: Float64Array.from(images.data) }]);
    console.log(`      resmlp-tiny features: onnxruntime float32 vs float64 reference ${r.toExponential(2)} (max |Δ| / max |ref|)`);
  });

  it('xcit-tiny features (a training init: conv stem, BatchNorm in eval mode, XCA, LPI, class attention) match in onnxruntime', async () => {
    const backbone = xcitTiny();
    const params = backbone.init(key(3));
    const images = JSON.parse(readFileSync('test/fixtures/interop/images.json', 'utf8')) as { shape: number[]; data: number[] };
    const sizes = [images.shape[0]!, images.shape[2]!, images.shape[3]!];
    const program = trace((x: Tensor<['B', 'H', 'W']>) => backbone.features(params, x), spec(['B', 'H', 'W'], sizes, 'images'));
    const r = await checkAgainstReference(program, [{ axes: ['B', 'H', 'W'], sizes, data: Float64Array.from(images.data) }]);
    console.log(`      xcit-tiny features: onnxruntime float32 vs float64 reference ${r.toExponential(2)} (max |Δ| / max |ref|)`);
  });

  it("xcit-tiny features of the official PyTorch weights (BatchNorm statistics non-trivial) match the reference and torch's own features", async () => {
    const backbone = xcitTiny();
    const params = treeConstants<ReturnType<typeof backbone.init>>(loadSafetensors(readFileSync('test/fixtures/interop/official-xcit-tiny.safetensors'), evaluate(backbone.init(key(0)))).params);
    const images = JSON.parse(readFileSync('test/fixtures/interop/images.json', 'utf8')) as { shape: number[]; data: number[] };
    const sizes = [images.shape[0]!, images.shape[2]!, images.shape[3]!];
    const program = trace((x: Tensor<['B', 'H', 'W']>) => backbone.features(params, x), spec(['B', 'H', 'W'], sizes, 'images'));
    const r = await checkAgainstReference(program, [{ axes: ['B', 'H', 'W'], sizes, data: Float64Array.from(images.data) }]);
    const got = await runOrt(exportOnnx(program, { inputNames: ['images'] }), { images: { axes: ['B', 'H', 'W'], sizes, data: Float64Array.from(images.data) } });
    const torch = JSON.parse(readFileSync('test/fixtures/interop/official-xcit-tiny.features.json', 'utf8')) as { float32: number[] };
    const rt = relDiff(got[0]!, torch.float32);
    assert.ok(rt < 1e-4, `onnxruntime vs torch float32: ${rt}`);
    console.log(`      xcit-tiny official weights: onnxruntime vs float64 reference ${r.toExponential(2)}, vs torch float32 ${rt.toExponential(2)}`);
  });

  it('softmax over a named axis', async () => {
    const program = trace((x: Tensor<['B', 'K']>) => softmax(x, 'K'), spec(['B', 'K'], [3, 5], 'x'));
    await checkAgainstReference(program, [{ axes: ['B', 'K'], sizes: [3, 5], data: Float64Array.from({ length: 15 }, (_, i) => Math.sin(i) * 3) }]);
  });

  it('parameters broadcast over the batch and filled constants are stored once and expanded: xcit-tiny at batch 16 is under 1.5× its size at batch 1', () => {
    const backbone = xcitTiny();
    const params = treeConstants<ReturnType<typeof backbone.init>>(evaluate(backbone.init(key(3))));
    const size = (b: number) => exportOnnx(trace((x: Tensor<['B', 'H', 'W']>) => backbone.features(params, x), spec(['B', 'H', 'W'], [b, 28, 28], 'images'))).length;
    const [one, sixteen] = [size(1), size(16)];
    assert.ok(sixteen < 1.5 * one, `batch 1: ${one} bytes, batch 16: ${sixteen} bytes`);
  });

  it('names an op without an ONNX counterpart and its node', () => {
    const program = trace((x: Tensor<['B']>) => oneHot(x, 'K', 4), spec(['B'], [3], 'labels'));
    assert.throws(() => exportOnnx(program), (e: unknown) => e instanceof OnnxExportError && /op 'oneHot' \(node \d+, Tensor<oneHot>\[B=3, K=4\]\) has no ONNX counterpart/.test(e.message));
  });
});
