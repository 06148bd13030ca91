import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { packTexels, textureLayout, unpackTexels } from '../../../src/compile/webgl2/layout.js';

describe('compile/webgl2/layout', () => {
  it('packs the last axis four to a texel, one tensor row per texture row', () => {
    const l = textureLayout([3, 5], 16);
    assert.deepEqual(l, { cols: 5, quads: 2, rows: 3, fold: 1, width: 2, height: 3 });
    const texels = packTexels(Float64Array.from({ length: 15 }, (_, i) => i + 1), l);
    // Row 1 (values 6..10) starts at texel (0, 1): RGBA 6 7 8 9, then 10 and three zeros of padding.
    assert.deepEqual(Array.from(texels.slice(8, 16)), [6, 7, 8, 9, 10, 0, 0, 0]);
  });

  it('gives a scalar and a vector one texture row', () => {
    assert.deepEqual(textureLayout([], 16), { cols: 1, quads: 1, rows: 1, fold: 1, width: 1, height: 1 });
    assert.deepEqual(textureLayout([9], 16), { cols: 9, quads: 3, rows: 1, fold: 1, width: 3, height: 1 });
  });

  it('folds rows side by side when there are more rows than the texture is high', () => {
    const l = textureLayout([10, 4], 4);
    assert.equal(l.fold, 3);
    assert.deepEqual([l.width, l.height], [3, 4]);
  });

  it('unpack(pack(x)) is x for any sizes and texture limit that fit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 4 }), fc.integer({ min: 2, max: 64 }), (sizes, max) => {
        let l;
        try {
          l = textureLayout(sizes, max);
        } catch (e) {
          assert.match((e as Error).message, /texels in a row|does not fit/);
          return;
        }
        assert.ok(l.width <= max && l.height <= max, `${l.width}x${l.height} within ${max}`);
        const n = sizes.reduce((a, b) => a * b, 1);
        const x = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000 - 500);
        assert.deepEqual(Array.from(unpackTexels(packTexels(x, l), l)), Array.from(x));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a tensor no texture of the device can hold, naming its sizes', () => {
    assert.throws(() => textureLayout([40], 8), /an axis of 40 elements needs 10 texels in a row; this device's textures hold at most 8/);
    assert.throws(() => textureLayout([100, 24], 8), /sizes \[100, 24\] does not fit in one 8x8 texture/);
  });
});
