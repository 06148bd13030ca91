import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { contrastingColours } from '../../src/data/contrasting-colours.js';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('data/contrasting-colours', () => {
  it('every channel in [0, 1); the background is at least 0.2 away from the foreground on the moved channel, both ways round the circle', () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 6, maxLength: 6 }), (u) => {
        const { fg, bg } = contrastingColours(u);
        assert.deepEqual(fg, u.slice(0, 3));
        for (const v of [...fg, ...bg]) assert.ok(v >= 0 && v < 1, String(v));
        const moved = Math.floor(u[3]! * 3) % 3;
        const d = Math.abs(bg[moved]! - fg[moved]!);
        assert.ok(Math.min(d, 1 - d) >= 0.2 - 1e-12, `channel ${moved}: ${fg[moved]} -> ${bg[moved]}`);
      }),
    );
  });

  it('reads its six uniforms from `at`', () => {
    const u = [9, 9, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5];
    assert.deepEqual(contrastingColours(u, 2), contrastingColours(u.slice(2)));
  });
});
