/**
 * Every golden layer file through ONNX export and onnxruntime-node: the forward pass over the
 * file's inputs (forward-program.ts), exported as float32 ONNX, against the float64 reference
 * interpreter on the same graph (which the conformance suite ties to the official outputs).
 * Files computed on the host (schedulers, k-means, LARS, Sinkhorn's loop) have no program; two
 * files use ops that have no ONNX counterpart here and must say which.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exportOnnx, OnnxExportError } from '../../../src/io/onnx/export.js';
import { forwardProgram } from '../../../src/testing/conformance/forward-program.js';
import { components } from '../../../src/testing/conformance/components/index.js';
import { loadGolden } from '../../../src/testing/conformance/runner.js';
import { interpret } from '../../../src/runtime/interpret.js';

type Ort = typeof import('onnxruntime-node');
const ort = (() => {
  try {
    return createRequire(import.meta.url)('onnxruntime-node') as Ort;
  } catch {
    return undefined;
  }
})();

const dir = 'test/fixtures/golden/';
const layers = ['class_attention', 'class_attention_block', 'conv_patch_embed', 'dino_head', 'dino_loss', 'lpi', 'paws_sharpen', 'paws_snn', 'pos_encoding_fourier', 'resmlp_affine', 'resmlp_block', 'resmlp_model', 'swav_loss', 'xca', 'xcablock', 'vit_attention', 'vit_block', 'vit_patch_embed', 'vit_model', 'regnet_block', 'regnet_model', 'swav_queue'];
const unsupported: Readonly<Record<string, string>> = { deepercluster_targets: 'oneHot', paws_loss: 'less' };
const onnxName = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

function program(name: string) {
  return forwardProgram(components[name]!, loadGolden(`${dir}${name}.json`));
}

describe('io/onnx export of the golden layer files, run in onnxruntime', function () {
  this.timeout(120000);
  before(function () {
    if (ort === undefined) this.skip();
  });

  it('the files with a forward program are exactly the layers below and the two unsupported ones', () => {
    const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    const withProgram = names.filter((n) => components[n] !== undefined && program(n) !== undefined);
    assert.deepEqual(withProgram.sort(), [...layers, ...Object.keys(unsupported)].sort());
  });

  for (const name of layers) {
    it(`${name}: every output within 1e-4 relative of the float64 reference`, async () => {
      const p = program(name)!;
      const inputNames = p.inputPaths.map((path, i) => `${onnxName(path)}_${i}`);
      const model = exportOnnx({ graph: p.graph, inputPaths: p.inputPaths }, { inputNames, outputNames: p.outputKeys.map(onnxName) });
      const want = interpret(p.graph, [...p.inputs]);
      const session = await ort!.InferenceSession.create(model);
      const feeds = Object.fromEntries(inputNames.map((n, i) => [n, new ort!.Tensor('float32', Float32Array.from(p.inputs[i]!.data), [...p.inputs[i]!.sizes])]));
      const got = await session.run(feeds);
      p.outputKeys.forEach((key, i) => {
        const a = got[onnxName(key)]!.data as Float32Array;
        const b = want[i]!.data;
        assert.equal(a.length, b.length, key);
        let d = 0;
        let m = 0;
        for (let k = 0; k < b.length; k++) {
          d = Math.max(d, Math.abs(a[k]! - b[k]!));
          m = Math.max(m, Math.abs(b[k]!));
        }
        assert.ok(d <= 1e-4 * m, `${name} ${key}: max |Δ| ${d}, max |ref| ${m}`);
      });
    });
  }

  for (const [name, op] of Object.entries(unsupported)) {
    it(`${name}: export fails with an error naming the op '${op}' and its node`, () => {
      const p = program(name)!;
      assert.throws(
        () => exportOnnx({ graph: p.graph, inputPaths: p.inputPaths }),
        (e: unknown) => e instanceof OnnxExportError && e.op === op && new RegExp(`op '${op}' \\(node \\d+, Tensor<${op}>\\[.*\\]\\) has no ONNX counterpart`).test(e.message),
      );
    });
  }
});
