import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { scaleBy } from '../../src/nn/layer-scale.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';

describe('nn/layer-scale', () => {
  it('scaleBy multiplies every element by the factor of its index on the scaled axis, wherever that axis is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), (a, c, b, position) => {
        const axes = (['A', 'B'] as string[]).slice();
        axes.splice(position, 0, 'C');
        const sizes = axes.map((x) => ({ A: a, B: b, C: c })[x as 'A' | 'B' | 'C']);
        const n = a * b * c;
        const y = fromArray(Array.from({ length: n }, (_, i) => i + 1), axes, sizes);
        const gamma = fromArray(Array.from({ length: c }, (_, i) => 10 ** i), ['C'], [c]);
        const out = evaluate(scaleBy(gamma, y));
        const stride = sizes.slice(position + 1).reduce((p, s) => p * s, 1);
        for (let i = 0; i < n; i++) assert.equal(out.data[i], (i + 1) * 10 ** (Math.floor(i / stride) % c));
      }),
    );
  });
});
