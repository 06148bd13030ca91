import { strict as assert } from 'node:assert';
import { clusterQuality } from '../../src/eval/cluster-quality.js';
import { formatResults, resultsJson } from '../../src/eval/report.js';
import { key, normal } from '../../src/runtime/prng.js';

/** n points per class around well separated directions (class c: axis c), with noise `spread`. */
function blobs(classes: number, n: number, spread: number, seed: number) {
  const d = classes;
  const noise = normal(key(seed), classes * n * d);
  const features = new Float32Array(classes * n * d);
  const labels = new Uint8Array(classes * n);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < n; i++) {
      const row = c * n + i;
      labels[row] = c;
      for (let j = 0; j < d; j++) features[row * d + j] = (j === c ? 1 : 0) + spread * noise[row * d + j]!;
    }
  }
  return { features, labels };
}

describe('eval/cluster-quality', () => {
  it('separated classes cluster perfectly (NMI = ARI = 1); labels unrelated to the features score near 0', () => {
    const set = blobs(4, 50, 0.05, 1);
    const good = clusterQuality(set, { key: key(2) });
    assert.ok(Math.abs(good.nmi - 1) < 1e-9 && Math.abs(good.ari - 1) < 1e-9, `nmi ${good.nmi} ari ${good.ari}`);
    const shuffled = { features: set.features, labels: Uint8Array.from(set.labels, (_, i) => (i * 7) % 4) };
    const bad = clusterQuality(shuffled, { key: key(2) });
    assert.ok(bad.nmi < 0.1 && Math.abs(bad.ari) < 0.1, `nmi ${bad.nmi} ari ${bad.ari}`);
  });

  it('the results table shows NMI and ARI columns only when a row has them', () => {
    const rows = [{ name: 'raw pixels', knn: { top1: 90, top5: 99 }, clustering: { nmi: 0.5421, ari: 0.4189 } }, { name: 'random initialisation', knn: { top1: 50, top5: 89 } }];
    const text = formatResults(rows);
    assert.match(text, /linear top-1 {4}NMI {4}ARI/);
    assert.match(text, /0\.542 {2}0\.419/);
    assert.deepEqual(resultsJson(rows).rows.map((r) => r.nmi), [0.5421, null]);
    assert.doesNotMatch(formatResults([rows[1]!]), /NMI/);
  });
});
