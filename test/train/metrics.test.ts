import { strict as assert } from 'node:assert';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendMetrics, MetricsError, metricSeries, readMetrics, truncateMetrics } from '../../src/train/metrics.js';
import { useTmpDir } from './tmp.js';

describe('train/metrics', () => {
  const tmp = useTmpDir();

  it('appends one JSON line per record and reads them back', () => {
    const file = join(tmp(), 'metrics.jsonl');
    assert.deepEqual(readMetrics(file), []);
    appendMetrics(file, { step: 0, kind: 'eval', knnTop1: 11.5 });
    appendMetrics(file, { step: 1, kind: 'train', loss: 4.2, lr: 1e-4 }, { step: 2, kind: 'train', loss: NaN });
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 4);
    assert.deepEqual(readMetrics(file), [
      { step: 0, kind: 'eval', knnTop1: 11.5 },
      { step: 1, kind: 'train', loss: 4.2, lr: 1e-4 },
      { step: 2, kind: 'train', loss: null },
    ]);
    assert.throws(() => appendMetrics(file, { step: NaN }), MetricsError);
  });

  it('drops a half-written last line, and names any other bad line', () => {
    const file = join(tmp(), 'metrics.jsonl');
    appendMetrics(file, { step: 1, loss: 3 });
    appendFileSync(file, '{"step":2,"lo');
    assert.deepEqual(readMetrics(file), [{ step: 1, loss: 3 }]);
    writeFileSync(file, '{"step":1}\n{"step":2,"lo\n{"step":3}\n');
    assert.throws(() => readMetrics(file), (e: unknown) => e instanceof MetricsError && /metrics\.jsonl line 2: not valid JSON/.test(e.message));
    writeFileSync(file, '{"step":"one"}\n');
    assert.throws(() => readMetrics(file), /line 1: step: expected a number, got "one"/);
  });

  it('truncates to the checkpoint step so a resumed run ends like an uninterrupted one', () => {
    const dir = tmp();
    const straight = join(dir, 'straight.jsonl');
    const resumed = join(dir, 'resumed.jsonl');
    const record = (step: number) => ({ step, kind: 'train', loss: 1 / (step + 1) });
    for (let s = 0; s <= 10; s++) appendMetrics(straight, record(s));
    // killed after logging step 7, last checkpoint at step 5, and mid-append of step 8
    for (let s = 0; s <= 7; s++) appendMetrics(resumed, record(s));
    appendFileSync(resumed, '{"step":8,');
    assert.equal(truncateMetrics(resumed, 5), 2);
    for (let s = 6; s <= 10; s++) appendMetrics(resumed, record(s));
    assert.equal(readFileSync(resumed, 'utf8'), readFileSync(straight, 'utf8'));
    assert.equal(truncateMetrics(join(dir, 'absent.jsonl'), 3), 0);
    assert.ok(!readdirSync(dir).includes('absent.jsonl'));
    assert.equal(truncateMetrics(resumed, -1), 11);
    assert.equal(readFileSync(resumed, 'utf8'), '');
    assert.ok(readdirSync(dir).every((n) => !n.includes('.tmp-')));
  });

  it('extracts a numeric series for plotting', () => {
    const records = [{ step: 0, knn: 10 }, { step: 1, loss: 2 }, { step: 2, knn: 30, kind: 'eval' }, { step: 3, knn: null }];
    assert.deepEqual(metricSeries(records, 'knn'), [[0, 10], [2, 30]]);
    assert.deepEqual(metricSeries(records, 'knn', (r) => r['kind'] === 'eval'), [[2, 30]]);
  });
});
