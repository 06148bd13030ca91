import { strict as assert } from 'node:assert';
import { normal } from '../../src/ops/random.js';
import { valueAndGrad } from '../../src/autodiff/grad.js';
import { evaluate, valueOf } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { isTensor } from '../../src/ir/tensor.js';
import { flattenTree } from '../../src/ir/tree.js';
import { linear } from '../../src/nn/linear.js';
import type { Layer } from '../../src/nn/layer.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { regnetYTinyMnist } from '../../src/nn/regnet/regnet.js';
import { seer, seerDefaults, seerRegNet, type SeerParams } from '../../src/ssl/seer.js';

describe('ssl/seer', () => {
  it('wires SwAV to a trunk: embeddings are unit rows, the loss and every gradient are finite', () => {
    const trunk = linear('X', 'C') as unknown as Layer<{ weight: Tensor<['C', 'X']>; bias: Tensor<['C']> }, ['B', 'X'], ['B', 'C']>;
    const model = seer(trunk, {
      trunkWidth: 5,
      head: { hidden: 6, hiddenLayers: 2, out: 4 },
      prototypes: 3,
      swav: { nmbCrops: [2, 1], queueLength: 0 },
    });
    const params = model.normalizePrototypes(model.init(key(1), { X: 7 }));
    const views = normal(key(2), ['B', 'X'], [3 * 2, 7]);
    const emb = valueOf(model.embed(params, views));
    for (let r = 0; r < 6; r++) assert.ok(Math.abs(Math.hypot(...emb.subarray(r * 4, r * 4 + 4)) - 1) < 1e-12);
    type P = SeerParams<{ weight: Tensor<['C', 'X']>; bias: Tensor<['C']> }>;
    const [loss, grads] = valueAndGrad((p: P) => model.loss(p, views, model.initState(), 0).loss)(params);
    const values = evaluate({ loss, grads: flattenTree(grads, isTensor).leaves });
    assert.ok(Number.isFinite(values.loss.data[0]!));
    values.grads.forEach((g) => assert.ok(g.data.every(Number.isFinite)));
  });

  it('builds on a RegNetY trunk with the SEER settings (features of the last stage width)', () => {
    const model = seerRegNet(regnetYTinyMnist, { head: { hidden: 8, hiddenLayers: 1, out: 4 }, prototypes: 5 });
    assert.equal(model.config.trunkWidth, 32);
    assert.equal(model.objective.views, 6);
    assert.equal(seerDefaults(3712).prototypes, 16000);
    assert.equal(model.sizes['K'], 5);
  });
});
