import { strict as assert } from 'node:assert';
import { gridFor, headDim, mergeHeads, splitQkv } from '../../../src/nn/xcit/heads.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import { ShapeError } from '../../../src/shape/errors.js';

describe('nn/xcit/heads', () => {
  it('splits qkv channel s·C + head·d + j into component s, head, channel j', () => {
    const [b, n, h, d] = [2, 3, 2, 3];
    const c = h * d;
    const data = Array.from({ length: b * n * 3 * c }, (_, i) => i);
    const [q, k, v] = splitQkv(fromArray(data, ['B', 'N', 'C3'], [b, n, 3 * c]), h).map((t) => evaluate(t));
    [q, k, v].forEach((t, s) => {
      assert.deepEqual(t!.axes, ['B', 'N', 'Hd', 'D']);
      for (let bb = 0; bb < b; bb++)
        for (let t0 = 0; t0 < n; t0++)
          for (let hh = 0; hh < h; hh++)
            for (let j = 0; j < d; j++) assert.equal(t!.data[((bb * n + t0) * h + hh) * d + j], (bb * n + t0) * 3 * c + s * c + hh * d + j);
    });
    const merged = evaluate(mergeHeads(splitQkv(fromArray(data, ['B', 'N', 'C3'], [b, n, 3 * c]), h)[1]));
    assert.deepEqual(merged.sizes, [b, n, c]);
    assert.equal(merged.data[c + 1], 3 * c + c + 1, 'token 1, channel 1 of k');
  });

  it('checks heads against channels and grids against tokens', () => {
    assert.equal(headDim('t', 12, 4), 3);
    assert.throws(() => headDim('t', 12, 5), ShapeError);
    assert.deepEqual(gridFor('t', 9, undefined), { H: 3, W: 3 });
    assert.deepEqual(gridFor('t', 6, { H: 2, W: 3 }), { H: 2, W: 3 });
    assert.throws(() => gridFor('t', 6, undefined), ShapeError);
    assert.throws(() => gridFor('t', 6, { H: 3, W: 3 }), ShapeError);
  });
});
