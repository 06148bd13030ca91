/**
 * The guide's two new objectives (examples/objectives.ts) train for a few
 * gradient steps on real MNIST images with finite losses; the guide shows
 * them verbatim; and the types reject the wrong programs the guide says they do.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Tensor } from '../../src/ir/tensor.js';
import { isTensor } from '../../src/ir/tensor.js';
import { flattenTree, unflattenTree } from '../../src/ir/tree.js';
import { add, mul, sub } from '../../src/ops/elementwise.js';
import { fromArray } from '../../src/ops/sources.js';
import { normal } from '../../src/ops/random.js';
import { valueAndGrad } from '../../src/autodiff/grad.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, split } from '../../src/runtime/prng.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { loadMnist } from '../../src/data/mnist.js';
import type { Layer } from '../../src/nn/layer.js';
import { emaMomentumSchedule } from '../../src/optim/schedules.js';
import { teacherStudent } from '../../src/ssl/teacher-student.js';
import { initCenter } from '../../src/ssl/center.js';
import { softCrossEntropy, crossEntropyOfProbs, detach } from '../../src/ssl/cross-entropy-soft.js';
import { sinkhorn } from '../../src/ssl/sinkhorn.js';
import { temperedSoftmax } from '../../src/ssl/sharpen.js';
import { meMax } from '../../src/ssl/me-max.js';
import { centredSwav, dinoWithMeMax, type View } from '../../examples/objectives.js';

type P = LinearParams<'X', 'K'>;
const B = 8;
const X = 784;
const K = 16;
const mnist = loadMnist('train');

/** Evaluate a tree of tensors and hold the values as constants (one training step's output becomes the next step's input). */
function materialise<T>(tree: T): T {
  const flat = flattenTree(tree, isTensor);
  const values = evaluate(flat.leaves, { checkFinite: true });
  return unflattenTree(flat.def, values.map((v) => fromArray(v.data, [...v.axes], v.sizes)));
}

/** MNIST images (flattened) and views: each view is the images plus a little noise (2 global, 2 local). */
function batch(step: number): { student: (p: P) => View[]; teacherInputs: Tensor<['B', 'X']>[] } {
  const [, ...ks] = split(key(100 + step), 5);
  const images = fromArray(mnist.images.subarray(step * B * X, (step + 1) * B * X), ['B', 'X'], [B, X], { name: 'mnist' });
  const views = ks.map((k, v) => add(images, mul(normal(k, ['B', 'X'], [B, X]), v < 2 ? 0.1 : 0.3)));
  return { student: (p) => views.map((v) => net.apply(p, v)), teacherInputs: views.slice(0, 2) };
}

const dense = linear('X', 'K', { std: 0.05 });
/** The student and teacher network: one linear layer from inputs [B, X] to prototype scores [B, K]. */
const net: Layer<P, ['B', 'X'], ['B', 'K']> = { init: (k, sizes) => dense.init(k, sizes), apply: (p, x) => dense.apply(p, x) };

function sgd(params: P, grads: P, lr: number): P {
  return { weight: sub(params.weight, mul(grads.weight, lr)), bias: sub(params.bias, mul(grads.bias, lr)) };
}

describe('guide: two new objectives', () => {
  it('DINO with me-max trains for a few steps with a teacher EMA, finite losses', () => {
    const objective = dinoWithMeMax({ ncrops: 4, warmupTeacherTemp: 0.04, teacherTemp: 0.07, warmupTeacherTempEpochs: 2, nepochs: 3, meMaxWeight: 1 });
    const ts = teacherStudent(net, emaMomentumSchedule({ base: 0.99, epochs: 3, iterationsPerEpoch: 2 }));
    let state = ts.init(key(1), { X, K });
    let dinoState = objective.init('K', K);
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const data = batch(step);
      const teacher = data.teacherInputs.map((v) => ts.teacher(state, v));
      let next = dinoState;
      const [loss, grads] = valueAndGrad((p: P) => {
        const r = objective.loss(data.student(p), teacher, dinoState, Math.floor(step / 2));
        next = r.state;
        return r.loss;
      })(state.student);
      const values = materialise({ loss, student: sgd(state.student, grads, 0.5), center: next.center });
      losses.push(evaluate(values.loss).data[0]!);
      const updated = ts.update(state, values.student);
      state = { ...updated, ...materialise({ student: updated.student, teacher: updated.teacher }) };
      dinoState = { center: values.center };
    }
    assert.equal(losses.length, 4);
    losses.forEach((l) => assert.ok(Number.isFinite(l), `loss ${l}`));
  });

  it("SwAV codes with DINO's centering train for a few steps, finite losses", () => {
    const objective = centredSwav({ epsilon: 0.05, iterations: 3, temperature: 0.1, centerMomentum: 0.9 });
    const ts = teacherStudent(net, 0.9);
    let state = ts.init(key(2), { X, K });
    let center = initCenter(['K'], [K]);
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const data = batch(step);
      const teacher = data.teacherInputs.map((v) => ts.teacher(state, v));
      let nextCenter = center;
      const [loss, grads] = valueAndGrad((p: P) => {
        const r = objective.loss(data.student(p), teacher, { center });
        nextCenter = r.state.center;
        return r.loss;
      })(state.student);
      const values = materialise({ loss, student: sgd(state.student, grads, 0.5), center: nextCenter });
      losses.push(evaluate(values.loss).data[0]!);
      const updated = ts.update(state, values.student);
      state = { ...updated, ...materialise({ student: updated.student, teacher: updated.teacher }) };
      center = values.center;
    }
    losses.forEach((l) => assert.ok(Number.isFinite(l), `loss ${l}`));
  });

  it('the guide shows both objectives verbatim, each under 20 lines', () => {
    const source = readFileSync('examples/objectives.ts', 'utf8');
    const guide = readFileSync('docs/guide.md', 'utf8');
    for (const name of ['dinoWithMeMax', 'centredSwav']) {
      const start = source.indexOf(`export function ${name}`);
      const end = source.indexOf('\n}\n', start) + 2;
      const body = source.slice(start, end);
      assert.ok(start >= 0 && body.length > 0);
      assert.ok(body.split('\n').length <= 20, `${name} has ${body.split('\n').length} lines`);
      assert.ok(guide.includes(body), `docs/guide.md does not show ${name} as in examples/objectives.ts`);
    }
  });
});

/** Never called: these lines must fail to compile (tsc checks the @ts-expect-error). */
export function wrongProgramsDoNotCompile(student: View, teacher: View): unknown[] {
  return [
    // @ts-expect-error a raw teacher output is not a distribution: sharpen or softmax it first
    softCrossEntropy(teacher, student, 'K'),
    // @ts-expect-error the codes are distributions over B (Sinkhorn was told B holds the prototypes), not over K
    softCrossEntropy(sinkhorn(teacher, 'B', { iterations: 3, epsilon: 0.05 }), student, 'K'),
    // @ts-expect-error a distribution over K is not one over B
    softCrossEntropy(detach(temperedSoftmax(teacher, 0.04, 'K')), student, 'B'),
    // @ts-expect-error the two distributions must be over the same axis
    crossEntropyOfProbs(detach(temperedSoftmax(teacher, 0.04, 'K')), temperedSoftmax(student, 0.1, 'B'), 'K'),
    // @ts-expect-error me-max averages distributions: logits are not accepted
    meMax(student, 'K'),
    // @ts-expect-error there is no prototype axis Z
    sinkhorn(teacher, 'Z', { iterations: 3, epsilon: 0.05 }),
  ];
}
