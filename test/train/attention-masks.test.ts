import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { attentionMask, attentionMaskMaps } from '../../src/train/attention-masks.js';

/** visualize_attention.py's rule written out directly: sort ascending, normalise, cumulative sum > 1 − threshold. */
function reference(w: number[], threshold: number): number[] {
  const total = w.reduce((a, b) => a + b, 0);
  const idx = w.map((_, i) => i).sort((a, b) => w[a]! - w[b]!);
  const out = new Array<number>(w.length).fill(0);
  let c = 0;
  for (const i of idx) {
    c += w[i]! / total;
    out[i] = c > 1 - threshold ? 1 : 0;
  }
  return out;
}

describe('train/attention-masks', () => {
  it('keeps the patches with the top 60% of the mass: [0.5, 0.1, 0.3, 0.1] keeps 0.5 and 0.3', () => {
    assert.deepEqual(Array.from(attentionMask([0.5, 0.1, 0.3, 0.1], 0.6)), [1, 0, 1, 0]);
    // Unnormalised weights give the same mask.
    assert.deepEqual(Array.from(attentionMask([5, 1, 3, 1], 0.6)), [1, 0, 1, 0]);
  });

  it('the kept mass reaches the threshold, and dropping the smallest kept patch falls below it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0.05, max: 1, noNaN: true }), (w, t) => {
        const m = attentionMask(w, t);
        const total = w.reduce((a, b) => a + b, 0);
        const kept = w.filter((_, i) => m[i]).reduce((a, b) => a + b, 0) / total;
        assert.ok(kept >= t - 1e-9, `kept ${kept} < ${t}`);
        const smallestKept = Math.min(...w.filter((_, i) => m[i]));
        assert.ok(kept - smallestKept / total <= t + 1e-9, `still ${kept - smallestKept / total} without the smallest`);
        assert.deepEqual(Array.from(m), reference(w, t));
      }),
    );
  });

  it('masks every head of every image', () => {
    const maps = { source: 'blocks.3.attn.attention', maps: [[{ height: 2, width: 2, data: [0.5, 0.1, 0.3, 0.1] }]] };
    const masks = attentionMaskMaps(maps, 0.6);
    assert.deepEqual(Array.from(masks.maps[0]![0]!.data), [1, 0, 1, 0]);
    assert.match(masks.source, /60% of the mass/);
  });

  it('refuses a threshold outside (0, 1], negative weights and all-zero weights', () => {
    assert.throws(() => attentionMask([1, 2], 0), /in \(0, 1\], got 0/);
    assert.throws(() => attentionMask([1, -2], 0.5), /weight 1 is -2/);
    assert.throws(() => attentionMask([0, 0], 0.5), /sum to 0/);
  });
});
