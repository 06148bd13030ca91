import { strict as assert } from 'node:assert';
import { fromArray } from '../../src/ops/sources.js';
import { withAxes } from '../../src/ops/with-axes.js';

describe('ops/with-axes', () => {
  it('types a tensor whose axes are the given ones, and is the same tensor', () => {
    const x = fromArray([1, 2, 3, 4], ['B', 'K'], [2, 2]);
    assert.equal(withAxes(x, ['B', 'K']), x);
  });

  it('throws on other axes, or the same in another order', () => {
    const x = fromArray([1, 2, 3, 4], ['B', 'K'], [2, 2]);
    assert.throws(() => withAxes(x, ['K', 'B']), /has axes \[B, K\], not \[K, B\]/);
    assert.throws(() => withAxes(x, ['B']), /not \[B\]/);
  });
});
