import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkFile } from '../../src/testing/conformance/runner.js';
import { deeperclusterTargets } from '../../src/testing/conformance/components/deepercluster-targets.js';
import { deeperClusterEpoch, deeperClusterLoss, distUnifTargSampler, hierarchicalClustering, hierarchicalTargets, labelTensor, rankRow, rankTable } from '../../src/ssl/deeper-cluster.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { assertGradient } from '../../src/testing/check-gradient.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

/** Points around `groups` well separated centres in d dimensions. */
function blobs(seed: number, groups: number, per: number, d: number): { x: NDArray<readonly ['N', 'D']>; truth: number[] } {
  const noise = normal(key(seed), groups * per * d);
  const data = new Float64Array(groups * per * d);
  const truth: number[] = [];
  for (let g = 0; g < groups; g++) for (let i = 0; i < per; i++) {
    const row = g * per + i;
    truth.push(g);
    for (let t = 0; t < d; t++) data[row * d + t] = 0.05 * noise[row * d + t]! + (t === g % d ? 3 : 0) * (g < d ? 1 : -1);
  }
  return { x: { axes: ['N', 'D'], sizes: [groups * per, d], data }, truth };
}

/** Whether two labelings induce the same partition. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]!) ?? b[i]) !== b[i] || (ba.get(b[i]!) ?? a[i]) !== a[i]) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

describe('ssl/deeper-cluster', () => {
  it('reproduces deepercluster_targets.json (rank tables, targets, loss and its gradients, rotations, sampler)', () => {
    const report = checkFile('test/fixtures/golden/deepercluster_targets.json', { components: { deepercluster_targets: deeperclusterTargets } });
    assert.equal(report.error, undefined, report.error);
    assert.deepEqual(report.lines.filter((l) => l.status !== 'pass').map((l) => l.key), []);
    assert.ok(report.lines.some((l) => l.section === 'grads'));
  });

  it('rank table: every (super-cluster, rotation) pair gets the same number of processes; targets are 4·s + r', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), (nSuper, tlws, rotnet) => {
        const superClasses = rotnet ? 4 * nSuper : nSuper;
        const rows = rankTable({ worldSize: superClasses * tlws, superClasses, rotnet });
        const seen = new Map<string, number>();
        for (const r of rows) {
          assert.equal(r.trainingLocalWorldId, rotnet ? 4 * r.clusteringLocalWorldId + r.rotation : r.clusteringLocalWorldId);
          const k = `${r.clusteringLocalWorldId}/${r.rotation}`;
          seen.set(k, (seen.get(k) ?? 0) + 1);
        }
        assert.equal(seen.size, superClasses);
        assert.ok([...seen.values()].every((v) => v === tlws));
      }),
    );
    assert.throws(() => rankRow({ worldSize: 6, superClasses: 4, rotnet: true }, 0), /multiple of the number of super-classes/);
  });

  it('hierarchical targets and the two-head loss; its gradients pass checkGradient', () => {
    const t = hierarchicalTargets([1, 0], [3, 2], [2, 1]);
    assert.deepEqual(Array.from(t.superTarget), [6, 1]);
    assert.deepEqual(Array.from(hierarchicalTargets([1, 0], [3, 2], undefined).superTarget), [1, 0]);
    const sub = normal(key(1), 3 * 4);
    const sup = normal(key(2), 3 * 8);
    const subTarget = labelTensor([0, 3, 1], 'B');
    assertGradient(
      (a, b) => deeperClusterLoss(a as Tensor<['B', 'Ks']>, b as Tensor<['B', 'Kp']>, subTarget, 5).loss,
      [
        { axes: ['B', 'Ks'], sizes: [3, 4], data: sub },
        { axes: ['B', 'Kp'], sizes: [3, 8], data: sup },
      ],
    );
    const l = deeperClusterLoss(fromArray(sub, ['B', 'Ks'], [3, 4]), fromArray(sup, ['B', 'Kp'], [3, 8]), subTarget, labelTensor([5, 5, 5], 'B'));
    const v = evaluate(l);
    assert.ok(Math.abs(v.loss.data[0]! - v.subLoss.data[0]! - v.superLoss.data[0]!) < 1e-15);
    const constant = evaluate(deeperClusterLoss(fromArray(sub, ['B', 'Ks'], [3, 4]), fromArray(sup, ['B', 'Kp'], [3, 8]), subTarget, 5).loss);
    assert.equal(constant.data[0], v.loss.data[0]);
  });

  it('DistUnifTargSampler from a key: per-label draws, rank shares partition the epoch', () => {
    const labels = [0, 0, 2, 0, 2, 2, 0, 0, 1, 2, 0, 1, 0, 1, 1];
    const all = distUnifTargSampler(12, labels, 1, 0, key(3));
    assert.equal(all.epochIndexes.length, 12);
    const shares = [0, 1, 2].map((r) => distUnifTargSampler(12, labels, 3, r, key(3)).processIndexes);
    assert.deepEqual(shares.map((s) => s.length), [4, 4, 4]);
    const merged = Array.from({ length: 12 }, (_, i) => shares[i % 3]![Math.floor(i / 3)]);
    assert.deepEqual(merged, Array.from(all.epochIndexes));
    assert.ok(Array.from(all.epochIndexes).every((i) => i >= 0 && i < labels.length));
  });

  it('two-level clustering recovers nested groups; an epoch gives targets within the heads', () => {
    const { x, truth } = blobs(5, 4, 10, 4);
    const h = hierarchicalClustering(key(1), x, { superClusters: 2, clusters: 4, niter: 10 });
    assert.equal(h.subClustersPerSuper, 2);
    const flat = Array.from(h.superCluster, (s, i) => s * 2 + h.subCluster[i]!);
    // k-means from a random init can stop in a local minimum; with this key both levels find the groups.
    assert.ok(samePartition(flat, truth), `(super, sub) labels ${flat.join('')} do not match the groups`);
    const e = deeperClusterEpoch(key(2), x, { superClusters: 2, clusters: 4, rotnet: true, niter: 10 });
    assert.equal(e.superClasses, 8);
    assert.ok(Array.from(e.targets.superTarget).every((t, i) => t === 4 * e.clustering.superCluster[i]! + e.rotation[i]!));
    assert.ok(Array.from(e.targets.subTarget).every((t) => t >= 0 && t < e.subClasses));
    assert.ok(new Set(e.rotation).size > 1, 'rotations vary');
    const plain = deeperClusterEpoch(key(2), x, { superClusters: 2, clusters: 4, rotnet: false, niter: 10 });
    assert.ok(plain.rotation.every((r) => r === 0));
    assert.equal(plain.superClasses, 2);
  });
});
