import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { loadMnist } from '../../src/data/mnist.js';
import { subset } from '../../src/data/dataset.js';
import { deeperClusterTrainer, flatClusters, type DeeperClusterTrainState } from '../../src/train/deepercluster.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { deeperClusterEpoch } from '../../src/ssl/deeper-cluster.js';
import { resetTopLayer } from '../../src/ssl/deep-cluster.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { split, type Key } from '../../src/runtime/prng.js';

const maxAbs = (tree: unknown): number => Math.max(...Object.values(flattenToTensors(tree)).map((t) => Math.max(...Array.from(t.data, Math.abs))));

describe('train/deepercluster', function () {
  this.timeout(300_000);
  const train = subset(loadMnist('train'), Array.from({ length: 400 }, (_, i) => i));
  // 2 super-clusters of 3 sub-clusters: super-class head 8 outputs, sub-class heads 2 × 3.
  const options = { model: 'resmlp-tiny' as const, clusterImages: 64, batchSize: 16, clusters: 6, superClusters: 2, plannedSteps: 12 };
  const t = deeperClusterTrainer(train, options);
  after(() => t.destroy());
  let trained: DeeperClusterTrainState;
  const nmiLabels: number[] = [];
  const nmiPrevious: number[] = [];
  const losses: number[] = [];

  before(async () => {
    let s = t.initState();
    for (let i = 0; i < 9; i++) {
      const r = await t.step(s, new Float32Array(0));
      if (r.extra?.nmiLabels !== undefined) nmiLabels.push(r.extra.nmiLabels);
      if (r.extra?.nmiPrevious !== undefined) nmiPrevious.push(r.extra.nmiPrevious);
      losses.push(r.loss);
      s = r.state;
    }
    trained = s;
  });

  it('reassigns at every epoch boundary and reports NMI against the labels and the previous epoch', () => {
    assert.equal(t.epochSteps, 4);
    assert.equal(nmiLabels.length, 3, 'reassigned at steps 0, 4 and 8');
    assert.equal(nmiPrevious.length, 2, 'no previous assignment at step 0');
    assert.ok([...nmiLabels, ...nmiPrevious].every((v) => v >= 0 && v <= 1));
    assert.ok(losses.every(Number.isFinite));
    assert.equal(trained.step, 9);
  });

  it("trains on the ssl component's targets, taken at the sampled positions (no re-assembly)", async () => {
    const r = await t.reassign({ ...trained, step: 8 });
    const [kEpoch] = split(t.epochKey({ ...trained, step: 8 }), 4) as [Key];
    const again = deeperClusterEpoch(kEpoch, await t.features(trained.params), { superClusters: 2, clusters: 6, rotnet: true, pcaDims: 32 });
    assert.deepEqual(r.epoch.targets, again.targets);
    assert.deepEqual(r.epoch.rotation, again.rotation);
    const s = r.state.samples;
    s.position.data.forEach((p, j) => {
      assert.equal(s.superTarget.data[j], again.targets.superTarget[p]);
      assert.equal(s.subTarget.data[j], again.targets.subTarget[p]);
      assert.equal(s.rotation.data[j], again.rotation[p]);
      assert.equal(s.superCluster.data[j], again.clustering.superCluster[p]);
    });
  });

  it('hierarchical assignment: each cluster lies inside one super-cluster, every label in its head', async () => {
    const r = await t.reassign({ ...trained, step: 8 });
    const c = r.epoch.clustering;
    Array.from(r.state.assignment.data).forEach((id, i) => {
      assert.ok(Number.isInteger(id) && id >= 0 && id < 6, `cluster ${id}`);
      assert.equal(Math.floor(id / 3), c.superCluster[i], `image ${i}: cluster ${id} outside super-cluster ${c.superCluster[i]}`);
    });
    const s = r.state.samples;
    s.position.data.forEach((p, j) => {
      assert.ok(Number.isInteger(p) && p >= 0 && p < 64, `position ${p}`);
      assert.ok(s.superTarget.data[j]! >= 0 && s.superTarget.data[j]! < 8, `super-class ${s.superTarget.data[j]}`);
      assert.ok(s.subTarget.data[j]! >= 0 && s.subTarget.data[j]! < 3, `sub-class ${s.subTarget.data[j]}`);
      assert.equal(s.superTarget.data[j], 4 * s.superCluster.data[j]! + s.rotation.data[j]!);
    });
  });

  it('a flat cluster id keeps its super-cluster and sub-cluster (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.nat(20), fc.nat(20)), { maxLength: 30 }), (q, pairs) => {
        const ids = flatClusters(pairs.map(([s]) => s), pairs.map(([, u]) => u % q), q);
        pairs.forEach(([s, u], i) => {
          assert.equal(Math.floor(ids[i]! / q), s);
          assert.equal(ids[i]! % q, u % q);
        });
      }),
    );
  });

  it('reassignment starts both heads afresh (and their AdamW moments) and keeps the rest', async () => {
    const before = { ...trained, step: 8 };
    const r = await t.reassign(before);
    const [, , kSuper, kSub] = split(t.epochKey(before), 4) as [Key, Key, Key, Key];
    const sizes = { F: 64, KS: 8, KQ: 6 };
    assert.deepEqual(r.state.params.super_head, evaluate(resetTopLayer(kSuper, 'F', 'KS', sizes)));
    assert.deepEqual(r.state.params.sub_heads, evaluate(resetTopLayer(kSub, 'F', 'KQ', sizes)));
    assert.notDeepEqual(trained.params.super_head, r.state.params.super_head);
    const moments = (m: unknown) => m as Record<string, unknown>;
    const adamState = r.state.opt as { m: unknown; v: unknown };
    for (const m of [adamState.m, adamState.v]) {
      assert.equal(maxAbs(moments(m).super_head), 0);
      assert.equal(maxAbs(moments(m).sub_heads), 0);
    }
    assert.ok(maxAbs(moments((trained.opt as { m: unknown }).m).sub_heads) > 0, 'the trained heads had moments');
    assert.deepEqual(r.state.params.backbone, trained.params.backbone);
    assert.deepEqual(r.state.params.head, trained.params.head);
    assert.deepEqual(moments(adamState.m).backbone, moments((trained.opt as { m: unknown }).m).backbone);
  });

  it('restoring a checkpoint continues exactly, mid-epoch and across a reassignment', async () => {
    let a = t.initState();
    for (let i = 0; i < 3; i++) a = (await t.step(a, new Float32Array(0))).state;
    let b = t.restore(flattenToTensors(t.saved(a)), a.step, a.key);
    for (let i = 0; i < 3; i++) {
      const ra = await t.step(a, new Float32Array(0));
      const rb = await t.step(b, new Float32Array(0));
      assert.equal(rb.loss, ra.loss, `step ${a.step}`);
      assert.deepEqual(rb.extra, ra.extra, `step ${a.step}`);
      a = ra.state;
      b = rb.state;
    }
  });

  it('names k that does not split into the super-clusters, and a subset too small', () => {
    assert.throws(() => deeperClusterTrainer(train, { ...options, clusters: 7 }), /k = 7 clusters must split evenly into 2 super-clusters/);
    assert.throws(() => deeperClusterTrainer(train, { ...options, clusterImages: 10 }), /10 images to cluster is fewer than the 6 clusters or the batch of 16/);
  });
});
