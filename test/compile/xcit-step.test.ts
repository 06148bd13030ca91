import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { nn } from '../../src/index.js';
import { sgd, type SgdState } from '../../src/optim/index.js';
import { compile, availableBackends, type Backend, type GpujsBackend } from '../../src/compile/index.js';
import { flattenTree } from '../../src/ir/tree.js';

// A small XCiT (pre-norm XCA and MLP blocks with layer scale) trained by one SGD step,
// traced as one program and compiled: loss, new parameters and momentum must match the
// float64 reference, and the whole step must be one pipeline call.
const B = 2;
const sizes = { B, N: 4, P: 16, C: 8, F: 32, K: 3 };
type Tokens = Tensor<['B', 'N', 'C']>;
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyLayer = nn.Layer<any, ['B', 'N', 'C'], ['B', 'N', 'C']>;

const block = (): AnyLayer => {
  const norm = () => nn.layerNorm('C', 1e-6) as unknown as AnyLayer;
  const attn = nn.residual(nn.layerScale(nn.preNorm(norm(), nn.xcit.xca({ heads: 2 })), 'C', 1));
  const ffn = nn.residual(nn.layerScale(nn.preNorm(norm(), nn.mlp('C', 'F') as unknown as AnyLayer), 'C', 1));
  return nn.serial(attn, ffn) as AnyLayer;
};
const embed = nn.linear('P', 'C');
const blocks = nn.repeat(2, block);
const head = nn.linear('C', 'K');

const params0 = sg.evaluate({
  embed: embed.init(sg.random.key(1), sizes),
  blocks: blocks.init(sg.random.key(2), sizes),
  head: head.init(sg.random.key(3), sizes),
});
type Params = { embed: any; blocks: any; head: any };

function logits(p: Params, x: Tensor<['B', 'N', 'P']>): Tensor<['B', 'K']> {
  const t = embed.apply(p.embed, x) as unknown as Tokens;
  const y = blocks.apply(p.blocks, t);
  return head.apply(p.head, sg.mean(y, 'N') as Tensor<['B', 'C']>) as unknown as Tensor<['B', 'K']>;
}

const paramSpecs: any = JSON.parse(JSON.stringify(params0, (_k, v) => (v && v.data instanceof Float64Array ? { kind: 'spec', axes: v.axes, sizes: v.sizes } : v)));

const opt = sgd({ momentum: 0.9 });
const step = sg.trace(
  (p: any, momentum: any, x: Tensor<['B', 'N', 'P']>, y: Tensor<['B']>) => {
    const [loss, grads] = sg.valueAndGrad((q: Params) => sg.crossEntropy(logits(q, x), y, 'K'))(p);
    const next = opt.step(p, grads, { momentum } as SgdState, 0.05);
    return { loss, params: next.params, momentum: (next.state as SgdState).momentum };
  },
  paramSpecs,
  paramSpecs,
  sg.spec(['B', 'N', 'P'], sizes, 'x'),
  sg.spec(['B'], sizes, 'y'),
);

const momentum0 = JSON.parse(JSON.stringify(params0, (_k, v) => (v && v.data instanceof Float64Array ? Array.from(v.data, () => 0) : v)));
const x = Array.from({ length: B * 4 * 16 }, (_, i) => Math.sin(i * 0.37));
const labels = [0, 2];

describe('compile: a small XCiT training step', function () {
  this.timeout(300000);
  const backends: Backend[] = ['wasm', ...(['webasm', 'cpu', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b))];
  for (const backend of backends) {
    it(`${backend}: one pipeline call; loss, parameters and momentum match the reference`, async () => {
      // The native backend on two threads with every kernel split, however small.
      const compiled = compile(step, backend === 'wasm' ? { backend, wasm: { threads: 2, schedule: { splitMin: 0, syncCost: 0 } } } : { backend });
      const got = await compiled.run(params0 as never, momentum0 as never, x, labels);
      const want = sg.run(step, params0 as never, momentum0 as never, x, labels);
      const info = compiled.lastRun()!;
      assert.equal(info.pipelineCalls, 1);
      assert.equal(info.backend, backend);
      if (backend === 'webasm') assert.match(info.executorKind, /^fused-/);
      if (backend === 'wasm') assert.equal(info.executorKind, 'native-threads');
      const a = flattenTree(got, (v): v is sg.NDArray => typeof v === 'object' && v !== null && 'data' in v);
      const b = flattenTree(want, (v): v is sg.NDArray => typeof v === 'object' && v !== null && 'data' in v);
      assert.equal(a.leaves.length, b.leaves.length);
      a.leaves.forEach((leaf, i) => {
        const ref = b.leaves[i]!.data;
        const scale = Math.max(1e-2, ...Array.from(ref, Math.abs));
        leaf.data.forEach((v, j) => assert.ok(Math.abs(v - ref[j]!) <= 1e-4 * scale, `${a.paths[i]}[${j}]: ${v} vs ${ref[j]}`));
      });
      assert.ok(compiled.kernels.length > 10, `${compiled.kernels.length} kernels`);
      compiled.destroy();
    });
  }
});
