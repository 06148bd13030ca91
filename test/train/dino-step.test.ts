import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { evaluate } from '../../src/ops/interpret.js';
import { uniform } from '../../src/ops/random.js';
import { scalar } from '../../src/ops/sources.js';
import { reshape } from '../../src/ops/layout.js';
import { sumAxes } from '../../src/ops/reduce.js';
import { contract } from '../../src/ops/einsum.js';
import { key, split } from '../../src/runtime/prng.js';
import { dinoHead } from '../../src/nn/dino-head.js';
import { dino } from '../../src/ssl/dino.js';
import { leavesOf } from '../../src/optim/optimizer.js';
import { dinoOptimizer, dinoStep, type DinoNetwork } from '../../src/train/dino-step.js';
import { optimizerNames, type OptimizerName, type TrainOptimizerState } from '../../src/train/optimizer-choice.js';

const B = 2;
const side = 2;
const head = dinoHead({ inDim: 3, outDim: 5, hiddenDim: 4, bottleneckDim: 3 });

/** A DINO step on a tiny backbone (pooled pixels -> 3 features), two global views and one local one, every input drawn from a seed. */
function setup(seed: number, lastLayerLearns: number, rates: { lr: number; wd: number; m: number }, optimizer: OptimizerName = 'adamw') {
  const [kb, kh, kt, km, kv, kx] = split(key(seed), 6);
  const network = (k: typeof kb): DinoNetwork => {
    const [a, b] = split(k!);
    return { backbone: { w: uniform(a!, ['P', 'C'], [1, 3]) }, head: head.init(b!, {}) };
  };
  const student = network(kb);
  // weight_g random (not 1), so that a step that touched it would show.
  const withGain = (n: DinoNetwork, k: typeof kb): DinoNetwork => ({ ...n, head: { ...n.head, last_layer: { ...n.head.last_layer, weight_g: uniform(k!, ['K', '1'], [5, 1]) } } });
  const moments = (k: typeof kb) => {
    const { leaves, rebuild } = leavesOf(student);
    const ks = split(k!, leaves.length);
    return rebuild<DinoNetwork>(leaves.map((l, i) => uniform(ks[i]!, [...l.value.axes], l.value.sizes)));
  };
  const [kg, kc, ...kviews] = split(kx!, 5);
  const step = dinoStep<Tensor<['B', 'H', 'W']>>({
    // Pixels pooled to [B, 1] (so that views of any size fit), then mapped to 3 features.
    features: (p, x) => contract(reshape(sumAxes(x, ['H', 'W']), ['B', 'P'], [x.sizes[0]!, 1]), (p as { w: Tensor<['P', 'C']> }).w, 'P') as Tensor<['B', 'C']>,
    head,
    objective: dino({ ncrops: 3, warmupTeacherTemp: 0.04, teacherTemp: 0.04, warmupTeacherTempEpochs: 0, nepochs: 1 }),
    optimizer: dinoOptimizer(optimizer),
    clipGrad: 3,
    epoch: 0,
  });
  const sizes = [side, side, 1];
  const views = kviews.slice(0, 3).map((k, i) => uniform(k!, ['B', 'H', 'W'], [B, sizes[i]!, sizes[i]!]));
  const inputs = {
    student: withGain(student, kg),
    teacher: withGain(network(kt), kc),
    center: uniform(kh!, ['K'], [5]),
    // A resumed state with non-zero moments or momentum buffers (so that a step that applied them to a frozen parameter would show).
    opt: (optimizer === 'adamw' ? { m: moments(km), v: moments(kv), t: scalar(7) } : { momentum: moments(km) }) as TrainOptimizerState,
    views,
    lr: scalar(rates.lr),
    weightDecay: scalar(rates.wd),
    momentum: scalar(rates.m),
    lastLayerLearns: scalar(lastLayerLearns),
    lastLayerSkipped: scalar(3),
  };
  return { inputs, result: step(inputs) };
}

const byPath = (tree: unknown): Record<string, Float64Array> => {
  const { leaves } = leavesOf(tree);
  const values = evaluate(leaves.map((l) => l.value));
  return Object.fromEntries(leaves.map((l, i) => [l.path, values[i]!.data]));
};
/** The optimiser state's trees shaped like the parameters (AdamW's moments, the momentum buffers), by name. */
const stateTrees = (opt: TrainOptimizerState): Record<string, unknown> => Object.fromEntries(Object.entries(opt).filter(([k]) => k !== 't'));

const rates = fc.record({ lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }), wd: fc.double({ min: 0.01, max: 0.5, noNaN: true }), m: fc.double({ min: 0.5, max: 0.99, noNaN: true }) });

describe('train/dino-step', () => {
  for (const optimizer of optimizerNames) {
    it(`${optimizer}: leaves the frozen last layer exactly as it was (cancel_gradients_last_layer): no update, no decay, no moment or momentum change`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1 << 20 }), rates, (seed, r) => {
          const { inputs, result } = setup(seed, 0, r, optimizer);
          const [before, after] = [inputs, result].map((x) => ({ p: byPath(x.student), ...Object.fromEntries(Object.entries(stateTrees(x.opt)).map(([k, t]) => [k, byPath(t)])) }) as Record<string, Record<string, Float64Array>>);
          assert.deepEqual(Object.keys(after!), Object.keys(before!));
          for (const path of ['head.last_layer.weight_v', 'head.last_layer.weight_g']) {
            for (const k of Object.keys(before!)) assert.deepEqual(after![k]![path], before![k]![path], `${k} of ${path} moved`);
          }
          // The rest of the student learns.
          assert.notDeepEqual(after!.p!['head.mlp.0.weight'], before!.p!['head.mlp.0.weight']);
        }),
        { numRuns: 8 },
      );
    });
  }

  it("updates the last layer's direction once it learns, never its gain under norm_last_layer; the teacher's gain follows the EMA (every optimiser)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), rates, fc.constantFrom(...optimizerNames), (seed, r, optimizer) => {
        const { inputs, result } = setup(seed, 1, r, optimizer);
        const [s0, s1, t0, t1] = [inputs.student, result.student, inputs.teacher, result.teacher].map(byPath);
        assert.notDeepEqual(s1!['head.last_layer.weight_v'], s0!['head.last_layer.weight_v']);
        assert.deepEqual(s1!['head.last_layer.weight_g'], s0!['head.last_layer.weight_g']);
        const g = 'head.last_layer.weight_g';
        t1![g]!.forEach((v, i) => assert.ok(Math.abs(v - (r.m * t0![g]![i]! + (1 - r.m) * s0![g]![i]!)) < 1e-12));
      }),
      { numRuns: 12 },
    );
  });

  it('clips each gradient on its own norm, and gives the frozen gain no gradient to clip', () => {
    const { result } = setup(3, 1, { lr: 0.1, wd: 0.3, m: 0.9 });
    const norms = evaluate(Object.values(result.gradNorms)).map((n) => n.data[0]!);
    const clipped = byPath(result.clipped);
    Object.keys(result.gradNorms).forEach((path, i) => {
      const n = Math.sqrt(Array.from(clipped[path]!).reduce((s, v) => s + v * v, 0));
      assert.ok(n <= Math.min(norms[i]!, 3) * (1 + 1e-12), `${path}: ${n} after clipping, ${norms[i]} before`);
    });
    assert.ok(!('head.last_layer.weight_g' in result.gradNorms), 'weight_g has no gradient to clip');
  });
});
