import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { compile, availableBackends } from '../../src/compile/index.js';

// GL drivers stop loops after 65535 iterations without an error (measured on Mesa under Xvfb:
// a sum of 2^19 ones came back as 262140). The compiler refuses such kernels on GL backends
// instead of returning a partial result; shorter reductions run.
describe('compile: GL loop limits', function () {
  this.timeout(120000);
  const gl = availableBackends().includes('headlessgl');
  (gl ? it : it.skip)('headlessgl: refuses a reduction too long for GL, runs one that fits', async () => {
    const long = sg.trace((x) => sg.sum(x), sg.spec(['N'], [1 << 19], 'x'));
    assert.throws(() => compile(long, { backend: 'headlessgl' }), /runs 131072 loop iterations per output cell; the headlessgl backend stops loops after 65535/);
    const fits = sg.trace((x) => sg.sum(x), sg.spec(['N'], [1 << 17], 'x'));
    const c = compile(fits, { backend: 'headlessgl' });
    assert.equal((await c.run(new Float32Array(1 << 17).fill(1))).data[0], 1 << 17);
    c.destroy();
  });
  it('webasm: a reduction over 2^19 elements is exact', async () => {
    const long = sg.trace((x) => sg.sum(x), sg.spec(['N'], [1 << 19], 'x'));
    const c = compile(long, { backend: 'webasm' });
    assert.equal((await c.run(new Float32Array(1 << 19).fill(1))).data[0], 1 << 19);
    c.destroy();
  });
});
