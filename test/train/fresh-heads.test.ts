import { strict as assert } from 'node:assert';
import { withFreshHeads } from '../../src/train/fresh-heads.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

const nd = (xs: number[]): NDArray => ({ axes: ['C'], sizes: [xs.length], data: Float64Array.from(xs) });
const count: NDArray<[]> = { axes: [], sizes: [], data: Float64Array.from([5]) };
const tree = (v: number) => ({ backbone: { w: nd([v, v]) }, top_layer: { weight: nd([v, v, v]) } });
const params = tree(1);
const heads = { top_layer: { weight: nd([7, 8, 9]) } };

describe('train/fresh-heads', () => {
  it("AdamW: the heads' moments start at zero, the backbone's and the step count are kept", () => {
    const opt = { m: tree(2), v: tree(3), t: count };
    const r = withFreshHeads(params, opt, heads);
    assert.deepEqual(r.params.top_layer, heads.top_layer);
    assert.deepEqual(r.params.backbone, params.backbone);
    assert.deepEqual(Array.from(r.opt.m.top_layer.weight.data), [0, 0, 0]);
    assert.deepEqual(Array.from(r.opt.v.top_layer.weight.data), [0, 0, 0]);
    assert.deepEqual(r.opt.m.backbone, opt.m.backbone);
    assert.deepEqual(r.opt.t, opt.t);
  });

  it("SGD and LARS: the heads' momentum buffers start at zero (main.py builds a new optimizer for the new layer), the backbone's are kept", () => {
    const opt = { momentum: tree(4) };
    const r = withFreshHeads(params, opt, heads);
    assert.deepEqual(Array.from(r.opt.momentum.top_layer.weight.data), [0, 0, 0]);
    assert.deepEqual(r.opt.momentum.backbone, opt.momentum.backbone);
  });

  it('names an optimiser state without the heads', () => {
    assert.throws(() => withFreshHeads(params, { momentum: { backbone: params.backbone } }, heads), /the optimiser state \(momentum\) has no tree with the heads top_layer/);
  });
});
