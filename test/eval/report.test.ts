import { strict as assert } from 'node:assert';
import { formatResults, resultsJson, type ResultRow } from '../../src/eval/report.js';

const rows: ResultRow[] = [
  { name: 'raw pixels', knn: { top1: 97.12, top5: 99.77 }, dim: 784 },
  { name: 'random initialisation', knn: { top1: 91.034, top5: 98.4 }, linearTop1: 85.2, dim: 64 },
  { name: 'DINO', knn: { top1: 96.5, top5: 99.5 }, linearTop1: 95.25, dim: 64, seconds: 12.5 },
];

describe('eval/report', () => {
  it('formats an aligned plain-text table with "-" where a value was not computed', () => {
    const text = formatResults(rows, { title: 'MNIST test (10000 images)', notes: ['k-NN: k = 20, T = 0.07'] });
    assert.equal(
      text,
      [
        'MNIST test (10000 images)',
        'features               k-NN top-1  k-NN top-5  linear top-1',
        '---------------------  ----------  ----------  ------------',
        'raw pixels                  97.12       99.77             -',
        'random initialisation       91.03       98.40         85.20',
        'DINO                        96.50       99.50         95.25',
        'k-NN: k = 20, T = 0.07',
        '',
      ].join('\n'),
    );
    assert.match(formatResults(rows.slice(0, 1), { digits: 1 }), /raw pixels +97\.1 +99\.8 +-\n$/);
  });

  it('gives JSON with nulls for missing values and unrounded numbers', () => {
    const json = resultsJson(rows, { title: 'MNIST' });
    assert.deepEqual(json.columns, ['features', 'knnTop1', 'knnTop5', 'linearTop1', 'nmi', 'ari']);
    assert.deepEqual(json.rows[0], { name: 'raw pixels', knnTop1: 97.12, knnTop5: 99.77, linearTop1: null, nmi: null, ari: null, dim: 784, seconds: null });
    assert.equal(json.rows[1]!.knnTop1, 91.034);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
    assert.equal(json.title, 'MNIST');
  });

  it('rejects rows without a name or with non-finite numbers', () => {
    assert.throws(() => formatResults([{ name: '' }]), /row 0 has no name/);
    assert.throws(() => resultsJson([{ name: 'x', linearTop1: NaN }]), /row x has linear top-1 = NaN/);
  });
});
