import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { deepclusterUnifSampler } from '../../src/testing/conformance/components/deepcluster-unif-sampler.js';
import {
  Mt19937,
  arrangeClustering,
  choice,
  clusterAssign,
  imagesListsOf,
  itemsByImageId,
  loadedItems,
  permutation,
  unifLabelSampler,
  uniformInterval,
} from '../../src/ssl/uniform-sampler.js';
import { key } from '../../src/runtime/prng.js';

describe('ssl/uniform-sampler', () => {
  it('reproduces deepcluster_unif_sampler.json bit for bit (draws, shuffle, reassigned and loaded items)', () => {
    const report = checkFile('test/fixtures/golden/deepcluster_unif_sampler.json', { components: { deepcluster_unif_sampler: deepclusterUnifSampler } });
    assert.equal(report.error, undefined, report.error);
    assert.ok(report.lines.length > 0);
    assert.deepEqual(report.lines.filter((l) => l.status !== 'pass' || l.maxAbs !== 0).map((l) => l.key), []);
  });

  it('MT19937 matches the reference generator and numpy seeding', () => {
    assert.equal(new Mt19937(5489).next(), 3499211612);
    const m = new Mt19937(0);
    const a = m.next() >>> 5;
    const b = m.next() >>> 6;
    assert.equal((a * 67108864 + b) / 9007199254740992, 0.5488135039273248, 'np.random.seed(0); np.random.random()');
  });

  it('interval, permutation and choice are uniform and well-formed', () => {
    const m = new Mt19937(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[uniformInterval(m, 4)] += 1;
    counts.forEach((c) => assert.ok(Math.abs(c - 1000) < 150, `counts ${counts}`));
    assert.equal(uniformInterval(m, 0), 0);
    const p = permutation(m, 10);
    assert.deepEqual([...p].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = choice(m, [7, 8, 9], 3, false);
    assert.deepEqual([...c].sort(), [7, 8, 9]);
    assert.throws(() => choice(m, [1, 2], 3, false), /without replacement/);
  });

  it('keyed sampler: length n, int(n / nonEmpty) + 1 draws per non-empty cluster, from that cluster, no repeats without replacement', () => {
    const listsArb = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 6 }).filter((s) => s.some((n) => n > 0));
    fc.assert(
      fc.property(listsArb, fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.5, max: 2, noNaN: true }), (sizes, seed, reassign) => {
        let next = 0;
        const lists = sizes.map((s) => Array.from({ length: s }, () => next++));
        const n = Math.trunc(reassign * next);
        const s = unifLabelSampler(n, lists, key(seed));
        const nonEmpty = lists.filter((l) => l.length > 0);
        assert.equal(s.indexes.length, n);
        assert.equal(s.sizePerLabel, Math.trunc(n / nonEmpty.length) + 1);
        assert.equal(s.draws.length, s.sizePerLabel * nonEmpty.length);
        nonEmpty.forEach((l, c) => {
          const part = Array.from(s.draws.subarray(c * s.sizePerLabel, (c + 1) * s.sizePerLabel));
          assert.ok(part.every((i) => l.includes(i)), 'draws come from the cluster');
          assert.equal(s.replace[c], l.length <= s.sizePerLabel);
          if (!s.replace[c]) assert.equal(new Set(part).size, part.length, 'no repeats without replacement');
        });
        assert.deepEqual([...s.permutation].sort((a, b) => a - b), Array.from({ length: s.draws.length }, (_, i) => i));
        s.indexes.forEach((v, i) => assert.equal(v, s.draws[s.permutation[i]!]));
        assert.deepEqual(unifLabelSampler(n, lists, key(seed)).indexes, s.indexes, 'same key, same epoch');
      }),
      { numRuns: 80 },
    );
  });

  it('draws every non-empty cluster about equally often, whatever its size', () => {
    const lists = [Array.from({ length: 90 }, (_, i) => i), [90, 91], [], Array.from({ length: 8 }, (_, i) => 92 + i)];
    const label = arrangeClustering(lists);
    const counts: number[] = [0, 0, 0, 0];
    for (let seed = 0; seed < 20; seed++) {
      for (const i of unifLabelSampler(100, lists, key(seed)).indexes) counts[label[i]!]! += 1;
    }
    assert.equal(counts[2], 0);
    for (const c of [0, 1, 3]) assert.ok(Math.abs(counts[c]! - 2000 / 3) < 80, `counts ${counts}`);
  });

  it('cluster_assign compacts labels over non-empty clusters; loaded items follow the official indexing', () => {
    const lists = [[0, 3], [], [1, 2, 4]];
    const d = clusterAssign(lists);
    assert.deepEqual(Array.from(d.imageIndex), [0, 3, 1, 2, 4]);
    assert.deepEqual(Array.from(d.pseudolabel), [0, 0, 1, 1, 1]);
    assert.equal(d.classes, 2);
    const loaded = loadedItems(d, [1, 4]);
    assert.deepEqual(Array.from(loaded.imageIndex), [3, 4]);
    const byId = itemsByImageId(d, [1, 4]);
    assert.deepEqual(Array.from(byId.pseudolabel), [1, 1]);
    assert.deepEqual(imagesListsOf([2, 0, 2, 0, 2], 3), [[1, 3], [], [0, 2, 4]]);
    assert.throws(() => unifLabelSampler(3, [[], []], key(0)), /every cluster is empty/);
  });
});
