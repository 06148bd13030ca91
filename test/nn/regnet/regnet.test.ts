import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { regnetBlockWidths, regnetBlock, roundHalfEven, type RegNetBlockParams, type SqueezeExcitationParams } from '../../../src/nn/regnet/block.js';
import { regnet, regnetStages, regnetY128gf, regnetY128gfGenerator, regnetY32gf, regnetY32gfGenerator, regnetYTinyMnist, type RegNetParams } from '../../../src/nn/regnet/regnet.js';
import { parameterPaths, withUpdates } from '../../../src/nn/params.js';
import { runLayer } from '../../../src/nn/layer.js';
import { fromArray } from '../../../src/ops/sources.js';
import { crossEntropy } from '../../../src/ops/losses.js';
import { linear } from '../../../src/nn/linear.js';
import { evaluate, valueOf } from '../../../src/runtime/interpret.js';
import { grad, valueAndGrad } from '../../../src/autodiff/grad.js';
import { mul, sum } from '../../../src/ops/index.js';
import { key } from '../../../src/runtime/prng.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { assertClose, checkTreeGradient, randomArray, randomTree, valuesByPath } from '../resmlp/support.js';

type Image = ['B', 'C', 'H', 'W'];
const image = (sizes: number[], seed: number): Tensor<Image> => fromArray(randomArray(['B', 'C', 'H', 'W'], sizes, seed).data, ['B', 'C', 'H', 'W'], sizes);

describe('nn/regnet', () => {
  describe('regnetBlock', () => {
    it('computes widths as classy-vision: bottleneck, groups, SE width from the block INPUT width (Python rounding)', () => {
      assert.deepEqual(regnetBlockWidths({ widthIn: 8, widthOut: 16, stride: 2, groupWidth: 4 }), { bottleneck: 16, groups: 4, se: 2, projection: true });
      assert.deepEqual(regnetBlockWidths({ widthIn: 16, widthOut: 16, stride: 1, groupWidth: 8, bottleneckMultiplier: 0.5, seRatio: 0.25 }), { bottleneck: 8, groups: 1, se: 4, projection: false });
      assert.equal(regnetBlockWidths({ widthIn: 2, widthOut: 4, stride: 1, groupWidth: 2 }).se, 0, 'round(0.5) = 0');
      assert.equal(regnetBlockWidths({ widthIn: 6, widthOut: 4, stride: 1, groupWidth: 2 }).se, 2, 'round(1.5) = 2');
      assert.equal(regnetBlockWidths({ widthIn: 8, widthOut: 8, stride: 1, groupWidth: 2, seRatio: null }).se, 0);
      assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
      assert.throws(() => regnetBlock({ widthIn: 4, widthOut: 9, stride: 1, groupWidth: 2 }), /4 groups, which must divide 9/);
    });

    it('names its parameters as classy-vision (SEER) and shapes them in PyTorch layout', () => {
      const block = regnetBlock({ widthIn: 8, widthOut: 16, stride: 2, groupWidth: 4 });
      const p = block.init(key(0), {});
      const paths = parameterPaths(p);
      for (const name of ['proj.weight', 'bn.running_var', 'f.a.0.weight', 'f.a.1.weight', 'f.b.0.weight', 'f.b.1.num_batches_tracked', 'f.se.excitation.0.weight', 'f.se.excitation.0.bias', 'f.se.excitation.2.weight', 'f.se.excitation.2.bias', 'f.c.weight', 'f.final_bn.bias']) {
        assert.ok(paths.includes(name), name);
      }
      assert.equal(paths.length, 1 + 5 + 1 + 5 + 1 + 5 + 4 + 1 + 5);
      assert.deepEqual(p.f.a[0].weight.sizes, [16, 8, 1, 1]);
      assert.deepEqual(p.f.b[0].weight.sizes, [16, 4, 3, 3], 'grouped: [out, in/groups, 3, 3]');
      assert.deepEqual(p.f.se!.excitation[0].weight.sizes, [2, 16, 1, 1]);
      assert.deepEqual(p.f.se!.excitation[2].weight.sizes, [16, 2, 1, 1]);
      assert.deepEqual(p.proj!.weight.sizes, [16, 8, 1, 1]);
      const same = parameterPaths(regnetBlock({ widthIn: 16, widthOut: 16, stride: 1, groupWidth: 4 }).init(key(0), {}));
      assert.ok(!same.some((q) => q.startsWith('proj') || q.startsWith('bn.')), 'no projection when the shape is kept');
    });

    it('initialises as classy-vision: conv normal √(2/fan_out), BN 1/0, deterministic per key', () => {
      const block = regnetBlock({ widthIn: 32, widthOut: 64, stride: 2, groupWidth: 8 });
      const v = valuesByPath(block.init(key(3), {}));
      assert.deepEqual(valuesByPath(block.init(key(3), {})), v);
      assert.notDeepEqual(valuesByPath(block.init(key(4), {}))['f.b.0.weight'], v['f.b.0.weight']);
      const sd = (xs: Float64Array) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
      const b = sd(v['f.b.0.weight']!);
      assert.ok(Math.abs(b / Math.sqrt(2 / (9 * 64)) - 1) < 0.05, `3x3 std ${b}`);
      const a = sd(v['f.a.0.weight']!);
      assert.ok(Math.abs(a / Math.sqrt(2 / 64) - 1) < 0.1, `1x1 std ${a}`);
      assert.ok(v['f.final_bn.weight']!.every((w) => w === 1) && v['bn.bias']!.every((w) => w === 0) && v['f.a.1.running_var']!.every((w) => w === 1));
      assert.ok(v['f.se.excitation.0.bias']!.every((w) => Math.abs(w) <= 1 / Math.sqrt(64)), 'SE bias: PyTorch default');
      assert.ok(valuesByPath(regnetBlock({ widthIn: 4, widthOut: 4, stride: 1, groupWidth: 2, zeroInitFinalGamma: true }).init(key(0), {}))['f.final_bn.weight']!.every((w) => w === 0));
    });

    it('maps [B, C, H, W] to [B, widthOut, ⌈H/s⌉, ⌈W/s⌉], non-negative (final ReLU) (property)', () => {
      fc.assert(
        fc.property(
          fc.record({ B: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }), stride: fc.integer({ min: 1, max: 2 }), gw: fc.constantFrom(1, 2), win: fc.constantFrom(2, 4), wout: fc.constantFrom(2, 4), seed: fc.nat(1000) }),
          (s) => {
            const block = regnetBlock({ widthIn: s.win, widthOut: s.wout, stride: s.stride, groupWidth: s.gw, seRatio: 0.5 });
            const p = randomTree(block.init(key(s.seed), {}), s.seed, 1);
            const y = block.apply(p, image([s.B, s.win, s.H, s.W], s.seed + 1));
            assert.deepEqual(y.axes, ['B', 'C', 'H', 'W']);
            assert.deepEqual(y.sizes, [s.B, s.wout, Math.ceil(s.H / s.stride), Math.ceil(s.W / s.stride)]);
            assert.ok(valueOf(y).every((v) => v >= 0));
          },
        ),
        { numRuns: 15 },
      );
    });

    it('treats samples independently in evaluation mode (property)', () => {
      const block = regnetBlock({ widthIn: 2, widthOut: 4, stride: 2, groupWidth: 2, seRatio: 0.5 });
      fc.assert(
        fc.property(fc.nat(1000), (seed) => {
          const p = randomTree(block.init(key(seed), {}), seed, 1);
          const both = randomArray(['B', 'C', 'H', 'W'], [2, 2, 4, 4], seed + 1);
          const first = fromArray(both.data.slice(0, 32), ['B', 'C', 'H', 'W'], [1, 2, 4, 4]);
          const y2 = valueOf(block.apply(p, fromArray(both.data, ['B', 'C', 'H', 'W'], [2, 2, 4, 4])));
          assertClose(y2.slice(0, 16), valueOf(block.apply(p, first)), 1e-14);
        }),
        { numRuns: 10 },
      );
    });

    it('exercises the squeeze-excitation branch: the gate scales the output, and a gate of 1 is the block without SE', () => {
      const cfg = { widthIn: 4, widthOut: 4, stride: 1, groupWidth: 2, seRatio: 0.5 } as const;
      const block = regnetBlock(cfg);
      const p = randomTree(block.init(key(1), {}), 2, 1);
      const x = image([2, 4, 3, 3], 3);
      const se = p.f.se!;
      const gate = (w: number, b: number): SqueezeExcitationParams => ({
        excitation: [se.excitation[0], {}, { weight: fromArray(new Array<number>(8).fill(w), ['C', 'S', 'KH', 'KW'], [4, 2, 1, 1]), bias: fromArray(new Array<number>(4).fill(b), ['C'], [4]) }, {}],
      });
      const withGate = (g: SqueezeExcitationParams): RegNetBlockParams => ({ ...p, f: { ...p.f, se: g } });
      const y = valueOf(block.apply(p, x));
      const open = valueOf(block.apply(withGate(gate(0, 40)), x));
      const half = valueOf(block.apply(withGate(gate(0, 0)), x));
      assert.ok(y.some((v, i) => Math.abs(v - open[i]!) > 1e-6), 'the learned gate changes the output');
      assert.ok(half.some((v, i) => Math.abs(v - open[i]!) > 1e-6), 'a gate of 1/2 changes the output');
      const plain = regnetBlock({ ...cfg, seRatio: null });
      const { se: _drop, ...noSe } = p.f;
      void _drop;
      assertClose(open, valueOf(plain.apply({ f: noSe }, x)), 1e-14, 'sigmoid(40) = 1: the block without SE');
      // The gradient reaches the SE parameters.
      const r = fromArray(randomArray(['B', 'C', 'H', 'W'], [2, 4, 3, 3], 4).data, ['B', 'C', 'H', 'W'], [2, 4, 3, 3]);
      const g = valueOf(grad((q: RegNetBlockParams) => sum(mul(block.apply(q, x), r)))(p).f.se!.excitation[0].weight);
      assert.ok(g.some((v) => v !== 0));
    });

    it('has gradients that match finite differences with batch statistics and with running statistics', () => {
      const block = regnetBlock({ widthIn: 2, widthOut: 4, stride: 2, groupWidth: 2, seRatio: 0.5 });
      assert.equal(block.widths.se, 1);
      const p = randomTree(block.init(key(5), {}), 6);
      const x = randomArray(['B', 'C', 'H', 'W'], [2, 2, 4, 4], 7);
      for (const training of [false, true]) {
        const r = checkTreeGradient((t: RegNetBlockParams, xt) => runLayer(block, t, xt as Tensor<Image>, { training }).y, p, x);
        assert.ok(r.ok, `${training ? 'training' : 'evaluation'}: ${r.message}`);
      }
    });

    it('emits updated BatchNorm statistics in training under the parameter paths', () => {
      const block = regnetBlock({ widthIn: 2, widthOut: 4, stride: 2, groupWidth: 2, seRatio: 0.5 });
      const p = block.init(key(0), {});
      const { emitted } = runLayer(block, p, image([2, 2, 4, 4], 1), { training: true });
      assert.deepEqual(Object.keys(emitted).filter((k) => k.endsWith('running_mean')).sort(), ['bn.running_mean', 'f.a.1.running_mean', 'f.b.1.running_mean', 'f.final_bn.running_mean']);
      const next = withUpdates(p, emitted);
      assert.equal(valueOf(next.f.a[1].num_batches_tracked)[0], 1);
      assert.ok(valueOf(next.f.b[1].running_mean).some((v) => v !== 0));
    });
  });

  describe('regnet (model)', () => {
    it('expands the generators as classy-vision: RegNetY-32GF and -128GF (SEER)', () => {
      assert.deepEqual(regnetStages(regnetY32gfGenerator), regnetY32gf.stages);
      assert.deepEqual(regnetStages(regnetY128gfGenerator), regnetY128gf.stages);
      assert.deepEqual(regnetY32gf.stages.map((s) => [s.depth, s.width]), [[2, 232], [5, 696], [12, 1392], [1, 3712]]);
      assert.deepEqual(regnetY128gf.stages.map((s) => s.width), [528, 1056, 2904, 7392]);
      assert.ok([regnetY32gf, regnetY128gf].every((c) => c.seRatio === 0.25 && c.stemWidth === 32 && c.stages.every((s) => s.bottleneckMultiplier === 1)));
    });

    it('names the trunk as classy-vision: stem.stem.*, trunk_output.block{s}.block{s}-{i}.*', () => {
      const p = regnet(regnetYTinyMnist).init(key(0), {});
      const paths = parameterPaths(p);
      for (const name of ['stem.stem.0.weight', 'stem.stem.1.running_mean', 'trunk_output.block1.block1-0.proj.weight', 'trunk_output.block2.block2-1.f.se.excitation.2.bias', 'trunk_output.block2.block2-0.f.b.0.weight']) {
        assert.ok(paths.includes(name), name);
      }
      assert.ok(!paths.includes('trunk_output.block2.block2-1.proj.weight'));
      assert.deepEqual(p.stem.stem[0].weight.sizes, [8, 1, 3, 3]);
    });

    it('the tiny MNIST config runs forward and backward (batch statistics) on two 28×28 images', () => {
      const model = regnet(regnetYTinyMnist);
      const params = model.init(key(0), {});
      const x = image([2, 1, 28, 28], 1);
      assert.deepEqual(model.featureMap(params, x).sizes, [2, 32, 4, 4]);
      const head = linear('C', 'K');
      const hp = head.init(key(1), { C: 32, K: 10 });
      const labels = fromArray([3, 7], ['B'], [2]);
      const [loss, grads] = valueAndGrad((p: RegNetParams) => crossEntropy(head.apply(hp, runLayer(model, p, x, { training: true }).y) as Tensor<['B', 'K']>, labels, 'K'))(params);
      const v = evaluate({ loss, grads });
      assert.ok(Number.isFinite(v.loss.data[0]!));
      const g = valuesByPath(grads);
      for (const [path, data] of Object.entries(g)) assert.ok(data.every(Number.isFinite), path);
      assert.ok(g['stem.stem.0.weight']!.some((d) => d !== 0) && g['trunk_output.block2.block2-1.f.se.excitation.0.weight']!.some((d) => d !== 0));
    });

    it('has gradients that match finite differences on a tiny instance', () => {
      const model = regnet({ inChans: 1, stemWidth: 2, stages: [{ depth: 2, width: 2, stride: 2, groupWidth: 1 }], seRatio: 0.5 });
      const p = randomTree(model.init(key(2), {}), 3);
      const r = checkTreeGradient((t: RegNetParams, xt) => runLayer(model, t, xt as Tensor<Image>, { training: true }).y, p, randomArray(['B', 'C', 'H', 'W'], [2, 1, 6, 6], 4));
      assert.ok(r.ok, r.message);
    });
  });
});
