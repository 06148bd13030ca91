import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fromArray } from '../../src/ops/sources.js';
import { valueOf } from '../../src/runtime/interpret.js';
import { crossViewPairs, multiCrop, splitViews, stackViews, swapGlobalViews } from '../../src/ssl/multi-crop.js';

describe('ssl/multi-crop', () => {
  it('describes global and local views; the teacher sees the global ones by default', () => {
    const m = multiCrop({ global: 2, local: 6 });
    assert.equal(m.views, 8);
    assert.deepEqual(m.targetViews, [0, 1]);
    assert.deepEqual(m.kinds.slice(0, 3), ['global', 'global', 'local']);
    assert.throws(() => multiCrop({ global: 2, local: 1, targetViews: [3] }), /not among/);
  });

  it("pairs every target with every other view, target-major, as DINO's and SwAV's loops (2·(V - 1) pairs for 2 targets)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 8 }), (g, l) => {
        const m = multiCrop({ global: g, local: l });
        const pairs = crossViewPairs(m);
        assert.equal(pairs.length, g * (m.views - 1));
        pairs.forEach((p) => assert.notEqual(p.view, p.targetView));
        assert.deepEqual(pairs.map((p) => p.target), [...pairs.map((p) => p.target)].sort((a, b) => a - b));
      }),
    );
    assert.deepEqual(crossViewPairs({ views: 3, targetViews: [0, 1] }).map((p) => `${p.targetView}>${p.view}`), ['0>1', '0>2', '1>0', '1>2']);
  });

  it('splits crop-major rows into views and stacks them back; swaps the global views', () => {
    const x = fromArray([0, 1, 2, 3, 4, 5], ['N', 'K'], [3, 2]);
    const views = splitViews(x, 'N', 3);
    assert.deepEqual(Array.from(valueOf(views[1]!)), [2, 3]);
    assert.deepEqual(Array.from(valueOf(stackViews(views, 'N'))), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(swapGlobalViews(['a', 'b', 'c']), ['b', 'a', 'c']);
    assert.throws(() => splitViews(x, 'N', 2), /do not split/);
  });
});
