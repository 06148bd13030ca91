import { strict as assert } from 'node:assert';
import { availableBackends, isBackendAvailable, gpujsBackends } from '../../src/compile/index.js';

describe('compile/backends', () => {
  it('cpu and webasm are always available in Node', () => {
    assert.ok(isBackendAvailable('cpu'));
    assert.ok(isBackendAvailable('webasm'));
    assert.ok(availableBackends().every((b) => gpujsBackends.includes(b)));
  });

  // CI names the backends it installed (for example headlessgl under Xvfb): they must really be there,
  // so that a broken GL build cannot pass by silently skipping its tests.
  const required = (process.env['SHAPEGRAD_REQUIRE_BACKENDS'] ?? '').split(',').filter((b) => b !== '');
  for (const backend of required) {
    it(`${backend} is available, as this environment requires`, () => {
      assert.ok(availableBackends().includes(backend as never), `backend ${backend} is required here but gpu.js reports it unavailable (available: ${availableBackends().join(', ')})`);
    });
  }
});
