import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { vitPatchEmbed } from '../../../src/nn/vit/patch-embed.js';
import { fromArray } from '../../../src/ops/sources.js';
import { valueOf } from '../../../src/runtime/interpret.js';
import { vitPatchEmbedComponent } from '../../../src/testing/conformance/components/vit-patch-embed.js';
import { assertGolden } from '../resmlp/support.js';

describe('nn/vit/patch-embed', () => {
  it('reproduces vit_patch_embed.json (trailing rows dropped; every gradient)', () => {
    const s = assertGolden('vit_patch_embed', vitPatchEmbedComponent);
    assert.ok(s.maxAbs < 1e-12, `max abs ${s.maxAbs}`);
  });

  it('numbers tokens row-major (n = i·Wp + j) and ignores the pixels past the last whole patch', () => {
    const proj = { weight: fromArray([1, 0, 0, 0], ['E', 'C', 'KH', 'KW'], [1, 1, 2, 2]), bias: fromArray([0], ['E'], [1]) };
    const x = fromArray(Array.from({ length: 5 * 7 }, (_, i) => i), ['B', 'C', 'H', 'W'], [1, 1, 5, 7]);
    const y = vitPatchEmbed({ proj }, x);
    assert.deepEqual(y.sizes, [1, 6, 1]);
    assert.deepEqual(Array.from(valueOf(y)), [0, 2, 4, 14, 16, 18]);
  });

  it('for any image and patch size, token i·Wp + j reads patch (i, j) (a weight picking its top-left pixel)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (p, dh, dw) => {
        const [h, w] = [p + dh, p + dw];
        const pick = Float64Array.from({ length: p * p }, (_, i) => (i === 0 ? 1 : 0));
        const proj = { weight: fromArray(pick, ['E', 'C', 'KH', 'KW'], [1, 1, p, p]), bias: fromArray([0.5], ['E'], [1]) };
        const x = fromArray(Array.from({ length: h * w }, (_, i) => i), ['B', 'C', 'H', 'W'], [1, 1, h, w]);
        const [hp, wp] = [Math.floor(h / p), Math.floor(w / p)];
        const want = Array.from({ length: hp * wp }, (_, n) => Math.floor(n / wp) * p * w + (n % wp) * p + 0.5);
        assert.deepEqual(Array.from(valueOf(vitPatchEmbed({ proj }, x))), want);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses images smaller than a patch and channel mismatches', () => {
    const proj = { weight: fromArray(new Float64Array(16), ['E', 'C', 'KH', 'KW'], [1, 1, 4, 4]), bias: fromArray([0], ['E'], [1]) };
    assert.throws(() => vitPatchEmbed({ proj }, fromArray(new Float64Array(9), ['B', 'C', 'H', 'W'], [1, 1, 3, 3])), /a 3×3 image holds no 4×4 patch/);
    assert.throws(() => vitPatchEmbed({ proj }, fromArray(new Float64Array(32), ['B', 'C', 'H', 'W'], [1, 2, 4, 4])), /images have 2 channels, proj.weight expects 1/);
  });
});
