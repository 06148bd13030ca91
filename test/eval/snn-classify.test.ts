import { strict as assert } from 'node:assert';
import { snnClassify } from '../../src/eval/snn-classify.js';

const set = (rows: number[][], labels: number[]) => ({ features: Float32Array.from(rows.flat()), labels: Uint8Array.from(labels) });

describe('eval/snnClassify', () => {
  it('takes the class whose supports are most similar, by cosine (scale does not matter)', () => {
    const support = set([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], [0, 0, 1, 1]);
    const r = snnClassify(support, set([[5, 1], [0.2, 3], [1, 0.05]], [0, 1, 1]));
    assert.deepEqual([...r.predictions], [0, 1, 0]);
    assert.equal(r.top1, (100 * 2) / 3);
  });

  it('sums the soft votes of a class: many fairly close supports outvote one closer support at a high temperature', () => {
    const support = set([[1, 0], [0.6, 0.8], [0.6, 0.8], [0.6, 0.8]], [0, 1, 1, 1]);
    const q = set([[1, 0.2]], [1]);
    assert.equal(snnClassify(support, q, { tau: 10 }).predictions[0], 1);
    assert.equal(snnClassify(support, q, { tau: 0.01 }).predictions[0], 0);
  });

  it('rejects features of different widths and a non-positive temperature with one line', () => {
    assert.throws(() => snnClassify(set([[1, 0]], [0]), set([[1, 0, 0]], [0])), /dimension 2, test features 3/);
    assert.throws(() => snnClassify(set([[1, 0]], [0]), set([[1, 0]], [0]), { tau: 0 }), /tau must be positive/);
  });
});
