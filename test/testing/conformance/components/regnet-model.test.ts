import { strict as assert } from 'node:assert';
import { regnetModelComponent } from '../../../../src/testing/conformance/components/regnet-model.js';
import { assertGolden } from '../../../nn/resmlp/support.js';

describe('testing/conformance/components/regnet-model', () => {
  it("reproduces regnet_model.json: VISSL's regnet trunk in eval and train mode, feature blocks, running stats, every gradient", () => {
    const s = assertGolden('regnet_model', regnetModelComponent);
    assert.ok(s.maxAbs < 1e-10, `max abs ${s.maxAbs}`);
    assert.ok(s.lines > 100);
  });
});
