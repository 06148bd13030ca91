import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { contract } from '../../src/ops/einsum.js';
import { l2Normalize } from '../../src/ops/normalization.js';
import { grad, valueAndGrad } from '../../src/autodiff/grad.js';
import { evaluate, valueOf } from '../../src/runtime/interpret.js';
import { normal } from '../../src/ops/random.js';
import { key } from '../../src/runtime/prng.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { swavLoss } from '../../src/testing/conformance/components/swav-loss.js';
import { checkGradient } from '../../src/testing/index.js';
import { asProbs, detach } from '../../src/ssl/cross-entropy-soft.js';
import { splitViews } from '../../src/ssl/multi-crop.js';
import { swappedPrediction } from '../../src/ssl/swapped-prediction.js';
import { swav, type QueueTensor } from '../../src/ssl/swav.js';

const bs = 2;
const D = 3;
const K = 4;
const embeddingAt = (seed: number, views: number) => l2Normalize(normal(key(seed), ['N', 'D'], [views * bs, D]), 'D');
const prototypesAt = (seed: number) => l2Normalize(normal(key(seed), ['K', 'D'], [K, D]), 'D');

describe('ssl/swav', () => {
  it('swav_loss.json: every line passes (no queue, and with the queue)', () => {
    const report = checkFile('test/fixtures/golden/swav_loss.json', { components: { [swavLoss.name]: swavLoss } });
    assert.equal(report.error, undefined);
    assert.ok(report.lines.length >= 29);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('the queue is explicit state: shift then insert, used once full, and use_the_queue stays on', () => {
    const objective = swav({ nmbCrops: [2, 1], queueLength: 2 * bs });
    let state = objective.init('D', D);
    const w = prototypesAt(99);
    const seen: number[] = [];
    for (let it = 0; it < 4; it++) {
      const emb = embeddingAt(it, 3);
      const r = objective.loss({ embedding: emb, prototypes: w }, state, it);
      seen.push(r.assignments[0]!.sinkhornInput.size('N'));
      // queue_i[:bs] = this iteration's view c_i; queue_i[bs:] = the old queue_i[:-bs]
      const q = evaluate(r.state.queue!.queue);
      const old = evaluate(state.queue!.queue);
      const e = evaluate(emb).data;
      for (let i = 0; i < 2; i++) {
        const slice = q.data.subarray(i * 2 * bs * D, (i + 1) * 2 * bs * D);
        assert.deepEqual(Array.from(slice.subarray(0, bs * D)), Array.from(e.subarray(i * bs * D, (i + 1) * bs * D)));
        assert.deepEqual(Array.from(slice.subarray(bs * D)), Array.from(old.data.subarray(i * 2 * bs * D, i * 2 * bs * D + bs * D)));
      }
      state = r.state;
    }
    assert.deepEqual(seen, [bs, bs, 3 * bs, 3 * bs]);
    assert.equal(state.useTheQueue, true);
    assert.equal(state.queue!.filled, 2 * bs);
  });

  it('no gradient flows through the codes or into the queue; the gradient is that of swapped prediction with fixed codes', () => {
    const objective = swav({ nmbCrops: [2, 1], queueLength: bs });
    const w = prototypesAt(7);
    const emb = embeddingAt(3, 3);
    const queue = l2Normalize(normal(key(5), ['assign', 'slot', 'D'], [2, bs, D]), 'D') as QueueTensor<'D'>;
    const state = { queue: { queue: detach(queue), filled: bs }, useTheQueue: false };
    const gq = grad((q: QueueTensor<'D'>) => objective.loss({ embedding: emb, prototypes: w }, { ...state, queue: { queue: q as typeof state.queue.queue, filled: bs } }, 0).loss)(queue);
    assert.ok(valueOf(gq).every((v) => v === 0));
    const r = objective.loss({ embedding: emb, prototypes: w }, state, 0);
    const codes = r.assignments.map((a) => ({ view: a.view, codes: detach(asProbs(fromArray(valueOf(a.codes), ['N', 'K'], [bs, K]), 'K')) }));
    const fixed = (e: Tensor) => swappedPrediction(codes, splitViews(contract(e as Tensor<['N', 'D']>, w, 'D'), 'N', 3), 'K', 0.1);
    const [, g1] = valueAndGrad((e: Tensor<['N', 'D']>) => objective.loss({ embedding: e, prototypes: w }, state, 0).loss)(emb);
    const [, g2] = valueAndGrad((e: Tensor<['N', 'D']>) => fixed(e))(emb);
    const [a, b] = [valueOf(g1), valueOf(g2)];
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-13));
    const check = checkGradient(fixed, [evaluate(emb)]);
    assert.ok(check.ok, check.message);
  });

  it('freezes the prototypes for the first iterations (zero gradient, flagged for the optimiser)', () => {
    const objective = swav({ nmbCrops: [2], freezePrototypesNiters: 2 });
    const emb = embeddingAt(1, 2);
    const w = prototypesAt(2);
    const gradAt = (it: number) => grad((p: Tensor<['K', 'D']>) => objective.loss({ embedding: emb, prototypes: p }, objective.init('D', D), it).loss)(w);
    assert.ok(valueOf(gradAt(1)).every((v) => v === 0));
    assert.ok(valueOf(gradAt(2)).some((v) => v !== 0));
    assert.equal(objective.loss({ embedding: emb, prototypes: w }, objective.init('D', D), 1).prototypesFrozen, true);
  });

  it('normalises prototypes to unit rows, as a parameter update without gradient', () => {
    const objective = swav({ nmbCrops: [2] });
    const w = normal(key(4), ['K', 'D'], [K, D]);
    const n = valueOf(objective.normalizePrototypes(w));
    for (let k = 0; k < K; k++) assert.ok(Math.abs(Math.hypot(...n.subarray(k * D, (k + 1) * D)) - 1) < 1e-15);
    assert.throws(() => swav({ nmbCrops: [2], cropsForAssign: [0, 3] }), /not among/);
  });
});
