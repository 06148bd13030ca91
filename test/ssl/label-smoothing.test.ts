import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate, valueOf } from '../../src/runtime/interpret.js';
import { labelsMatrix, smoothLabels } from '../../src/ssl/label-smoothing.js';

function onSimplex(data: Float64Array, cols: number): void {
  for (let r = 0; r < data.length / cols; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    row.forEach((v) => assert.ok(v >= 0 && v <= 1));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12, `row ${r} sums to ${row.reduce((a, b) => a + b, 0)}`);
  }
}

describe('ssl/label-smoothing', () => {
  it("PAWS' soft labels lie on the simplex, row r of class r mod C", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 3 }), (c, spc, s, views) => {
        const m = evaluate(labelsMatrix({ numClasses: c, imagesPerClass: spc, smoothing: s, views }));
        assert.deepEqual(m.sizes, [views * spc * c, c]);
        onSimplex(m.data, c);
        for (let r = 0; r < m.sizes[0]!; r++) assert.equal(m.data[r * c + (r % c)], 1 - s + s / c);
      }),
      { numRuns: 100 },
    );
  });

  it('make_labels_matrix values: s/C off the class, 1 - s + s/C on it (0.925 for s = 0.1, C = 4)', () => {
    const m = valueOf(labelsMatrix({ numClasses: 4, imagesPerClass: 1, smoothing: 0.1 }));
    assert.deepEqual(Array.from(m.subarray(0, 4)), [0.925, 0.025, 0.025, 0.025]);
    assert.throws(() => labelsMatrix({ numClasses: 0, imagesPerClass: 1 }), /positive integer/);
  });

  it('smoothLabels of one-hot rows lies on the simplex', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (c, n, s) => {
        const y = fromArray(Array.from({ length: n * c }, (_, i) => (i % c === Math.floor(i / c) % c ? 1 : 0)), ['N', 'C'], [n, c]);
        onSimplex(valueOf(smoothLabels(y, s, 'C')), c);
      }),
      { numRuns: 50 },
    );
  });
});
