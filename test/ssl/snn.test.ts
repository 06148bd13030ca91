import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Tensor } from '../../src/ir/tensor.js';
import { fromArray } from '../../src/ops/sources.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { pawsSnn } from '../../src/testing/conformance/components/paws-snn.js';
import { checkGradient, tensorOf } from '../../src/testing/index.js';
import { labelsMatrix } from '../../src/ssl/label-smoothing.js';
import { snn } from '../../src/ssl/snn.js';

describe('ssl/snn', () => {
  it('paws_snn.json: every line passes', () => {
    const report = checkFile('test/fixtures/golden/paws_snn.json', { components: { [pawsSnn.name]: pawsSnn } });
    assert.equal(report.error, undefined);
    for (const l of report.lines) assert.equal(l.status, 'pass', `${l.key}: ${l.note}`);
  });

  it('with labels on the simplex, predictions lie on the simplex; the query and support axes may share a name', () => {
    const labels = labelsMatrix({ numClasses: 3, imagesPerClass: 2, smoothing: 0.1, axes: ['S', 'C'] });
    fc.assert(
      fc.property(tensorOf(['Q', 'D'], [4, 5]), tensorOf(['S', 'D'], [6, 5]), (q, s) => {
        const p = valueOf(snn(fromArray(q.data, ['Q', 'D'], [4, 5]), fromArray(s.data, ['S', 'D'], [6, 5]), labels, 0.1));
        for (let r = 0; r < 4; r++) {
          const row = p.subarray(r * 3, r * 3 + 3);
          row.forEach((v) => assert.ok(v >= 0));
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
        }
        const same = valueOf(
          snn(fromArray(q.data, ['N', 'D'], [4, 5]), fromArray(s.data, ['N', 'D'], [6, 5]), labelsMatrix({ numClasses: 3, imagesPerClass: 2, smoothing: 0.1, axes: ['N', 'C'] }), 0.1),
        );
        same.forEach((v, i) => assert.equal(v, p[i]));
      }),
      { numRuns: 30 },
    );
  });

  it('gradients pass checkGradient (query and supports)', () => {
    const labels = fromArray([1, 0, 0, 1, 0.5, 0.5], ['S', 'C'], [3, 2]);
    fc.assert(
      fc.property(tensorOf(['Q', 'D'], [2, 3], { min: -1, max: 1, awayFrom: [0], margin: 0.1 }), tensorOf(['S', 'D'], [3, 3], { min: -1, max: 1, awayFrom: [0], margin: 0.1 }), (q, s) => {
        const r = checkGradient((a, b) => snn(a as Tensor<['Q', 'D']>, b as Tensor<['S', 'D']>, labels, 0.5), [q, s]);
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 10 },
    );
  });
});
