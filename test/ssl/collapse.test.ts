/**
 * A collapsed DINO run is detected: with centering turned off (the center
 * stays zero) and a tiny teacher temperature, a few steps on MNIST drive the
 * teacher to one dominant output, which the diagnostics report; the same
 * teacher before training is not flagged.
 */
import { strict as assert } from 'node:assert';
import { isTensor } from '../../src/ir/tensor.js';
import { flattenTree, unflattenTree } from '../../src/ir/tree.js';
import { fromArray } from '../../src/ops/sources.js';
import { add, mul, sub } from '../../src/ops/elementwise.js';
import { normal } from '../../src/ops/random.js';
import { valueAndGrad } from '../../src/autodiff/grad.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, split } from '../../src/runtime/prng.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { loadMnist } from '../../src/data/mnist.js';
import { dino } from '../../src/ssl/dino.js';
import { diagnose, teacherEntropy } from '../../src/ssl/diagnostics.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { asTeacher } from '../../src/ssl/teacher.js';

type P = LinearParams<'X', 'K'>;
const B = 16;
const X = 784;
const K = 32;
const mnist = loadMnist('train');
const net = linear('X', 'K', { std: 0.05 });

function materialise<T>(tree: T): T {
  const flat = flattenTree(tree, isTensor);
  return unflattenTree(flat.def, evaluate(flat.leaves, { checkFinite: true }).map((v) => fromArray(v.data, [...v.axes], v.sizes)));
}

/** Train student = teacher (momentum 0: the teacher is the student's last copy) for `steps` steps. */
function run(options: { centerMomentum: number; teacherTemp: number; steps: number }): { teacher: Float64Array } {
  const objective = dino({ ncrops: 2, warmupTeacherTemp: options.teacherTemp, teacherTemp: options.teacherTemp, warmupTeacherTempEpochs: 0, nepochs: 1, centerMomentum: options.centerMomentum });
  let params = materialise(net.init(key(3), { X, K })) as P;
  let state = objective.init('K', K);
  let teacherOut: Tensor<['B', 'K']> | undefined;
  for (let step = 0; step < options.steps; step++) {
    const images = fromArray(mnist.images.subarray(step * B * X, (step + 1) * B * X), ['B', 'X'], [B, X]);
    const [k1, k2] = split(key(50 + step));
    const views = [k1!, k2!].map((k) => add(images, mul(normal(k, ['B', 'X'], [B, X]), 0.1)));
    const teacher = views.map((v) => asTeacher(net.apply(params, v)));
    let next = state;
    const [, grads] = valueAndGrad((p: P) => {
      const r = objective.loss(views.map((v) => net.apply(p, v)), teacher, state, 0);
      next = r.state;
      return r.loss;
    })(params);
    const updated = materialise({ weight: sub(params.weight, mul(grads.weight, 0.5)), bias: sub(params.bias, mul(grads.bias, 0.5)), center: next.center });
    params = { weight: updated.weight, bias: updated.bias };
    // Centering "off": the center is kept at zero whatever the update says.
    state = options.centerMomentum >= 1 ? state : { center: updated.center as never };
    teacherOut = teacher[0]!;
  }
  return { teacher: evaluate(teacherOut!).data };
}

describe('ssl: collapse diagnostics on a real run', function () {
  this.timeout(120000);
  it('flags DINO without centering and with a tiny teacher temperature, not the teacher at initialisation', () => {
    const collapsed = run({ centerMomentum: 1, teacherTemp: 0.005, steps: 12 });
    const healthy = run({ centerMomentum: 0.9, teacherTemp: 0.07, steps: 1 });
    const asLogits = (data: Float64Array, temperature: number) => ({ values: { axes: ['B', 'K'], sizes: [B, K], data }, temperature });
    const bad = teacherEntropy(asLogits(collapsed.teacher, 0.005).values, { logits: true, temperature: 0.005 });
    const good = teacherEntropy(asLogits(healthy.teacher, 0.07).values, { logits: true, temperature: 0.07 });
    const verdictBad = diagnose({ teacher: asLogits(collapsed.teacher, 0.005).values, teacherOptions: { logits: true, temperature: 0.005 } });
    const verdictGood = diagnose({ teacher: asLogits(healthy.teacher, 0.07).values, teacherOptions: { logits: true, temperature: 0.07 } });
    assert.notEqual(verdictBad.status, 'healthy', JSON.stringify(bad));
    assert.equal(verdictGood.status, 'healthy', JSON.stringify(good));
    assert.match(verdictBad.findings.map((f) => f.message).join(" "), /collapsed/);
    assert.ok(bad.information < good.information, `information ${bad.information} vs ${good.information}`);
  });
});
