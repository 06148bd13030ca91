import { strict as assert } from 'node:assert';
import { loadGolden } from '../../src/testing/conformance/runner.js';
import { goldenArray, goldenData } from '../../src/io/golden.js';
import { deepClusterEpoch, epochBatches, initialDeepClusterState, pseudoLabelLoss, resetAt, resetTopLayer } from '../../src/ssl/deep-cluster.js';
import { linear } from '../../src/nn/linear.js';
import { crossEntropy } from '../../src/ops/losses.js';
import { detach } from '../../src/ssl/cross-entropy-soft.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { NDArray } from '../../src/runtime/ndarray.js';
import type { Tensor } from '../../src/ir/tensor.js';

function blobs(seed: number, groups: number, per: number, d: number): { x: NDArray<readonly ['N', 'F']>; truth: number[] } {
  const noise = normal(key(seed), groups * per * d);
  const centres = normal(key(seed + 1), groups * d);
  const data = new Float64Array(groups * per * d);
  const truth: number[] = [];
  for (let g = 0; g < groups; g++) for (let i = 0; i < per; i++) {
    const row = g * per + i;
    truth.push(g);
    for (let t = 0; t < d; t++) data[row * d + t] = 4 * centres[g * d + t]! + 0.05 * noise[row * d + t]!;
  }
  return { x: { axes: ['N', 'F'], sizes: [groups * per, d], data }, truth };
}

describe('ssl/deep-cluster', () => {
  it('chains the golden files: features → PCA-whitening → k-means (given init) → sampler (numpy seed) → loaded items', () => {
    const pre = loadGolden('test/fixtures/golden/deepcluster_preprocess.json');
    const km = loadGolden('test/fixtures/golden/deepcluster_kmeans.json');
    const us = loadGolden('test/fixtures/golden/deepcluster_unif_sampler.json');
    const features = goldenArray(pre.inputs['features']!, ['N', 'F'] as const);
    const init = goldenArray(km.inputs['init_centroids']!, ['K', 'D'] as const);
    const e = deepClusterEpoch(key(0), initialDeepClusterState, features, { clusters: init.sizes[0]!, pcaDims: Number(pre.config['pca']) }, { features: 'F', classes: 'K' }, { initialCentroids: init, samplerSource: { numpySeed: 31 } });
    assert.deepEqual(Array.from(e.clustering.assign), Array.from(goldenData(km.outputs['final/assign']!)));
    assert.deepEqual(e.clustering.imagesLists.flat(), Array.from(goldenData(us.inputs['from_kmeans/images_lists_flat']!)));
    assert.deepEqual(Array.from(e.sampler.indexes), Array.from(goldenData(us.outputs['from_kmeans/seed31_reassign1.0/indexes']!)));
    assert.deepEqual(Array.from(e.batches.pseudolabel), Array.from(goldenData(us.outputs['from_kmeans/seed31_reassign1.0/loaded_pseudolabel']!)));
    assert.equal(e.state.epoch, 1);
    assert.deepEqual(e.topLayer.weight.sizes, [3, features.sizes[1]]);
  });

  it('clusters separated groups, resets the top layer from the key, and threads its state', () => {
    const { x, truth } = blobs(3, 4, 12, 6);
    const config = { clusters: 4, pcaDims: 3, niter: 15, reassign: 1.5 };
    const e1 = deepClusterEpoch(key(7), initialDeepClusterState, x, config, { features: 'F', classes: 'K' });
    // Each true group lands in one cluster.
    for (let g = 0; g < 4; g++) {
      const labels = new Set(truth.flatMap((t, i) => (t === g ? [e1.clustering.assign[i]!] : [])));
      assert.equal(labels.size, 1, `group ${g} is split: ${[...labels]}`);
    }
    assert.equal(e1.sampler.indexes.length, Math.trunc(1.5 * 48));
    assert.equal(e1.dataset.classes, 4);
    const w = evaluate(e1.topLayer.weight);
    const mean = w.data.reduce((a, b) => a + b, 0) / w.data.length;
    const std = Math.sqrt(w.data.reduce((a, b) => a + (b - mean) ** 2, 0) / w.data.length);
    assert.ok(Math.abs(std - 0.01) < 0.003, `top layer std ${std}`);
    assert.ok(evaluate(e1.topLayer.bias).data.every((v) => v === 0));
    const e2 = deepClusterEpoch(key(8), e1.state, x, config, { features: 'F', classes: 'K' });
    assert.equal(e2.state.epoch, 2);
    assert.deepEqual(e2.state.previousAssignment, e2.clustering.assign);
    assert.notDeepEqual(evaluate(e2.topLayer.weight).data, w.data, 'a fresh top layer each epoch');
    const again = deepClusterEpoch(key(7), initialDeepClusterState, x, config, { features: 'F', classes: 'K' });
    assert.deepEqual(again.sampler.indexes, e1.sampler.indexes, 'pure in the key');
    const batches = epochBatches(e1.batches, 32);
    assert.deepEqual(batches.map((b) => b.imageIndex.length), [32, 32, 8]);
  });

  it('pseudo-label loss is the cross-entropy; resetAt swaps a subtree of parameters', () => {
    const logits = fromArray(normal(key(1), 12), ['B', 'K'], [3, 4]);
    const labels = fromArray([0, 3, 1], ['B'], [3]);
    assert.deepEqual(evaluate(pseudoLabelLoss(logits, detach(labels), 'K')).data, evaluate(crossEntropy(logits, labels as Tensor<['B']>, 'K')).data);
    const model = { trunk: linear('C', 'F').init(key(1), { C: 2, F: 5 }), top_layer: linear('F', 'K').init(key(2), { F: 5, K: 3 }) };
    const reset = resetAt(model, 'top_layer', () => resetTopLayer(key(3), 'F', 'K', { F: 5, K: 4 }));
    assert.equal(reset.trunk, model.trunk);
    assert.deepEqual(reset.top_layer.weight.sizes, [4, 5]);
  });
});
