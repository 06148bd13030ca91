import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { compile, availableBackends } from '../../src/compile/index.js';

// GL drivers stop loops after 65535 iterations without an error (measured on Mesa under Xvfb:
// a sum of 2^19 ones came back as 262140). On GL backends the compiler splits long reductions
// across cells (partial sums over chunks, then a sum of the chunks); what it cannot split
// it refuses, naming the kernel, instead of returning a partial result.
describe('compile: GL loop limits', function () {
  this.timeout(120000);
  const gl = availableBackends().includes('headlessgl');
  (gl ? it : it.skip)('headlessgl: long sums, maxima and contractions are split and exact; an unsplittable one is refused', async () => {
    const n = 1 << 19;
    const p = sg.trace((x, y) => ({ s: sg.sum(x), m: sg.max(x), d: sg.einsum('N, N -> ', x, y) }), sg.spec(['N'], [n], 'x'), sg.spec(['N'], [n], 'y'));
    const c = compile(p, { backend: 'headlessgl' });
    const x = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    x[12345] = 7;
    const out = await c.run(x, new Float32Array(n).fill(2));
    const ones = x.reduce((a, b) => a + b, 0);
    assert.equal(out.s.data[0], ones);
    assert.equal(out.m.data[0], 7);
    assert.equal(out.d.data[0], 2 * ones);
    c.destroy();
    const prime = 131101; // a prime number of elements cannot be split into chunks
    const q = sg.trace((x) => sg.sum(x), sg.spec(['N'], [prime], 'x'));
    assert.throws(() => compile(q, { backend: 'headlessgl' }), /loop iterations per output cell; the headlessgl backend stops loops after 65535/);
  });
  it('webasm: a reduction over 2^19 elements is exact', async () => {
    const long = sg.trace((x) => sg.sum(x), sg.spec(['N'], [1 << 19], 'x'));
    const c = compile(long, { backend: 'webasm' });
    assert.equal((await c.run(new Float32Array(1 << 19).fill(1))).data[0], 1 << 19);
    c.destroy();
  });
});
