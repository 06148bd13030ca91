import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { adamw, lars, sgd, larsGradients, regularized, type SgdState, type AdamWState } from '../../src/optim/index.js';
import { checkFile } from '../../src/testing/conformance/runner.js';

const t = (xs: number[]) => sg.fromArray(xs, ['C'], [xs.length]);
const vals = (x: sg.Tensor) => Array.from(sg.valueOf(x));
const close = (a: number[], b: number[], tol = 1e-12) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol, `${i}: ${v} vs ${b[i]}`));

describe('optim', () => {
  it('torch SGD with momentum: buf = mu buf + g, p -= lr buf (first step buf = g)', () => {
    const opt = sgd({ momentum: 0.9 });
    const p0 = { w: t([1, 2]) };
    let { params, state: s1 } = opt.step(p0, { w: t([0.5, -1]) }, opt.init(p0) as SgdState, 0.1);
    close(vals(params.w), [1 - 0.05, 2 + 0.1]);
    ({ params, state: s1 } = opt.step(params, { w: t([0.5, -1]) }, s1 as SgdState, 0.1));
    close(vals(params.w), [0.95 - 0.1 * (0.9 * 0.5 + 0.5), 2.1 - 0.1 * (0.9 * -1 - 1)]);
  });

  it("PAWS' SGD keeps the learning rate in the buffer; nesterov adds mu buf", () => {
    const opt = sgd({ momentum: 0.9, lrInBuffer: true, nesterov: true });
    const p0 = { w: t([1]) };
    const s0 = opt.init(p0) as SgdState;
    const { params, state } = opt.step(p0, { w: t([2]) }, s0, 0.5);
    // d = -1, buf = -1, nesterov d = -1 + 0.9 * -1
    close(vals(params.w), [1 - 1 - 0.9]);
    close(vals((state.momentum as { w: sg.Tensor }).w), [-1]);
  });

  it('AdamW matches the bias-corrected update with decoupled decay', () => {
    const opt = adamw({ weightDecay: 0.1 });
    const p0 = { w: t([1, -2]) };
    const g = { w: t([0.3, 0.4]) };
    let state = opt.init(p0) as AdamWState;
    let params = p0;
    const ref = [1, -2];
    const m = [0, 0];
    const v = [0, 0];
    for (let step = 1; step <= 3; step++) {
      ({ params, state } = opt.step(params, g, state, 0.01) as { params: typeof p0; state: AdamWState });
      [0, 1].forEach((i) => {
        const gi = [0.3, 0.4][i]!;
        ref[i] = ref[i]! * (1 - 0.01 * 0.1);
        m[i] = 0.9 * m[i]! + 0.1 * gi;
        v[i] = 0.999 * v[i]! + 0.001 * gi * gi;
        ref[i] = ref[i]! - (0.01 * (m[i]! / (1 - 0.9 ** step))) / (Math.sqrt(v[i]! / (1 - 0.999 ** step)) + 1e-8);
      });
      close(vals(params.w), ref, 1e-12);
    }
  });

  it('AdamW decays only what its decay rule selects: DINO\'s rule skips biases and one-axis parameters', () => {
    const opt = adamw({ weightDecay: 0.5, decay: regularized });
    const params = { fc: { weight: sg.fromArray([1, 2, 3, 4], ['O', 'I'], [2, 2]), bias: t([1, 1]) }, norm: { weight: t([2, 2]) } };
    const zero = { fc: { weight: sg.fromArray([0, 0, 0, 0], ['O', 'I'], [2, 2]), bias: t([0, 0]) }, norm: { weight: t([0, 0]) } };
    const next = opt.step(params, zero, opt.init(params) as AdamWState, 0.1).params as typeof params;
    close(vals(next.fc.weight), [0.95, 1.9, 2.85, 3.8], 1e-12);
    close(vals(next.fc.bias), [1, 1], 0);
    close(vals(next.norm.weight), [2, 2], 0);
  });

  it('LARS rescales by the trust ratio, skips excluded parameters and zero norms', () => {
    const params = { 'fc.weight': t([3, 4]), 'fc.bias': t([1, 1]), zero: t([0, 0]) };
    const grads = { 'fc.weight': t([0.6, 0.8]), 'fc.bias': t([1, 2]), zero: t([1, 1]) };
    const { grads: g, ratios } = larsGradients(params, grads, { weightDecay: 0.1, exclude: (p) => p.includes('bias') }, 1);
    const a = (0.001 * 5) / (1 + 5 * 0.1 + 1e-8);
    close(vals(g['fc.weight']), [(0.6 + 0.3) * a, (0.8 + 0.4) * a]);
    assert.deepEqual(vals(g['fc.bias']), [1, 2]);
    assert.deepEqual(vals(g.zero), [1, 1]);
    assert.deepEqual(ratios.map((r) => r.path), ['fc.weight', 'zero']);
    const stepped = lars(sgd({ momentum: 0 }), { weightDecay: 0.1 }).step(params, grads, sgd().init(params) as SgdState, 2);
    assert.equal(vals(stepped.params['fc.bias'])[0], 1 - 2 * ((1 + 0.1) * ((0.001 * Math.SQRT2) / (Math.sqrt(5) + Math.SQRT2 * 0.1 + 1e-8))));
  });

  it('the optimiser golden files pass the conformance runner', () => {
    for (const f of ['lars_suncet', 'lars_swav']) {
      const report = checkFile(`test/fixtures/golden/${f}.json`);
      assert.equal(report.error, undefined);
      assert.ok(report.lines.length > 50);
      assert.ok(report.lines.every((l) => l.status === 'pass'), report.lines.filter((l) => l.status !== 'pass').map((l) => l.key).join(', '));
    }
  });

  it('names a gradient tree that does not match the parameters', () => {
    assert.throws(() => sgd().step({ w: t([1, 2]) }, { w: t([1, 2, 3]) }, sgd().init({ w: t([1, 2]) }) as SgdState, 0.1), /the gradient of w has axes \[C\] sizes \[3\], the parameter \[C\] sizes \[2\]/);
  });
});
