import { strict as assert } from 'node:assert';
import { regnetBlockComponent } from '../../../../src/testing/conformance/components/regnet-block.js';
import { assertGolden } from '../../../nn/resmlp/support.js';

describe('testing/conformance/components/regnet-block', () => {
  it('reproduces regnet_block.json: the RegNetY block with SE and projection, eval and train BatchNorm, running stats, every gradient', () => {
    const s = assertGolden('regnet_block', regnetBlockComponent);
    assert.ok(s.maxAbs < 1e-10, `max abs ${s.maxAbs}`);
  });
});
