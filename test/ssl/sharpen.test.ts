import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { softmax } from '../../src/ops/softmax.js';
import { evaluate, valueOf } from '../../src/runtime/interpret.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { pawsSharpen } from '../../src/testing/conformance/components/paws-sharpen.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { sharpen, temperedLogSoftmax, temperedSoftmax } from '../../src/ssl/sharpen.js';
import { asProbs, entropy } from '../../src/ssl/cross-entropy-soft.js';

const rowSums = (data: Float64Array, cols: number) => Array.from({ length: data.length / cols }, (_, r) => data.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0));

describe('ssl/sharpen', () => {
  it('paws_sharpen.json: every line passes', () => {
    const report = checkFile('test/fixtures/golden/paws_sharpen.json', { components: { [pawsSharpen.name]: pawsSharpen } });
    assert.equal(report.error, undefined);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('sharpened rows lie on the simplex and have no more entropy than the input (T < 1)', () => {
    fc.assert(
      fc.property(tensorOf(['N', 'C'], [3, 4], { min: -3, max: 3 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (x, t) => {
        const p = asProbs(softmax(fromArray(x.data, ['N', 'C'], [3, 4]), 'C'), 'C');
        const s = sharpen(p, t, 'C');
        const v = valueOf(s);
        v.forEach((e) => assert.ok(e >= 0));
        rowSums(v, 4).forEach((r) => assert.ok(Math.abs(r - 1) < 1e-12));
        const [hp, hs] = [valueOf(entropy(sharpen(p, 1, 'C'), 'C')), valueOf(entropy(s, 'C'))];
        hs.forEach((h, i) => assert.ok(h <= hp[i]! + 1e-12));
      }),
      { numRuns: 50 },
    );
  });

  it('temperedSoftmax is softmax(x / T); a scalar-tensor temperature gives the same', () => {
    const x = fromArray([1, 2, 3, 0.5, -1, 2], ['B', 'K'], [2, 3]);
    const a = valueOf(temperedSoftmax(x, 0.5, 'K'));
    const b = valueOf(softmax(fromArray([2, 4, 6, 1, -2, 4], ['B', 'K'], [2, 3]), 'K'));
    const c = valueOf(temperedSoftmax(x, fromArray([0.5], [], []), 'K'));
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-15 && Math.abs(v - c[i]!) < 1e-15));
    const l = evaluate(temperedLogSoftmax(x, 0.5, 'K')).data;
    l.forEach((v, i) => assert.ok(Math.abs(Math.exp(v) - a[i]!) < 1e-15));
    assert.throws(() => sharpen(asProbs(x, 'K'), 0, 'K'), /temperature must be a positive/);
  });

  it('gradients pass checkGradient', () => {
    fc.assert(
      fc.property(tensorOf(['N', 'C'], [2, 3], { min: 0.1, max: 1 }), (p) => {
        const r = checkGradient((t) => sharpen(asProbs(t as Tensor<['N', 'C']>, 'C'), 0.25, 'C'), [p]);
        assert.ok(r.ok, r.message);
        const s = checkGradient((t) => temperedSoftmax(t as Tensor<['N', 'C']>, 0.3, 'C'), [p]);
        assert.ok(s.ok, s.message);
      }),
      { numRuns: 10 },
    );
  });
});
