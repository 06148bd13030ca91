import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { interpolatePosEncoding, posEmbedGrid, type PosEmbed } from '../../../src/nn/vit/pos-embed.js';
import { fromArray, full } from '../../../src/ops/sources.js';
import { valueOf } from '../../../src/runtime/interpret.js';

const posEmbed = (g: number, c: number, f: (i: number) => number): PosEmbed => fromArray(Float64Array.from({ length: (1 + g * g) * c }, (_, i) => f(i)), ['1a', 'N', 'C'], [1, 1 + g * g, c]);

describe('nn/vit/pos-embed', () => {
  it('at the training size (square image, same grid) it is pos_embed itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (g, c) => {
        const p = posEmbed(g, c, (i) => Math.sin(i));
        assert.equal(interpolatePosEncoding(p, { H: g, W: g }, { H: 4 * g, W: 4 * g }), p);
      }),
    );
  });

  it('keeps the CLS row and maps a constant patch table to the same constant on any grid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), (g, h, w) => {
        const p = posEmbed(g, 2, (i) => (i < 2 ? 10 + i : i % 2 === 0 ? 3 : -1));
        const out = valueOf(interpolatePosEncoding(p, { H: h, W: w }, { H: 8 * h, W: 8 * w + 1 }));
        assert.equal(out.length, (1 + h * w) * 2);
        assert.deepEqual([out[0], out[1]], [10, 11]);
        for (let t = 1; t <= h * w; t++) {
          assert.ok(Math.abs(out[2 * t]! - 3) < 1e-12 && Math.abs(out[2 * t + 1]! + 1) < 1e-12, `token ${t}: ${out[2 * t]}, ${out[2 * t + 1]}`);
        }
      }),
    );
  });

  it('interpolates a non-square image even when its patch count equals the training grid (DINO checks w == h too)', () => {
    const p = posEmbed(2, 1, (i) => i * i);
    const out = interpolatePosEncoding(p, { H: 1, W: 4 }, { H: 8, W: 32 });
    assert.notEqual(out, p);
    assert.deepEqual(out.sizes, [1, 5, 1]);
  });

  it('refuses a pos_embed whose patch rows are not a square grid', () => {
    assert.throws(() => posEmbedGrid(full(0, ['1a', 'N', 'C'], [1, 6, 2])), /5 patch positions \(after the CLS row\) are not a square grid/);
  });
});
