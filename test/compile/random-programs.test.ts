import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { assertClose, build, dataOf, shape, stepArb, type T } from '../support/random-programs.js';
import { compile } from '../../src/compile/compile.js';
import { availableBackends, type GpujsBackend } from '../../src/compile/gpujs/backends.js';

const sizes = { A: 2, B: 3, C: 4 };
const dataArb = dataOf(24);
const backends = (['cpu', 'webasm', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b));
const runs = Number(process.env['SHAPEGRAD_COMPILE_RUNS'] ?? 25);

describe('compile: random programs agree with the float64 reference', function () {
  this.timeout(600000);
  for (const backend of backends) {
    it(`${backend}: values`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), dataArb, dataArb, async (steps, d1, d2) => {
          const program = sg.trace((x: T, y: T) => build(steps, [x, y]), sg.spec([...shape], sizes, 'x'), sg.spec([...shape], sizes, 'y'));
          const compiled = compile(program, { backend });
          try {
            const got = await compiled.run(d1, d2);
            const want = sg.run(program, d1, d2);
            want.forEach((w, i) => assertClose(backend, `output ${i}`, got[i]!.data, w.data));
            assert.equal(compiled.lastRun()!.backend, backend);
            assert.equal(compiled.lastRun()!.pipelineCalls, 1);
          } finally {
            compiled.destroy();
          }
        }),
        { numRuns: runs },
      );
    });

    it(`${backend}: gradients`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 5 }), dataArb, dataArb, async (steps, d1, d2) => {
          const r = sg.fromArray(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [...shape], sizes, { name: 'R' });
          const loss = (xy: [T, T]) => {
            const [out] = build(steps, xy);
            return sg.sum(sg.mul(out!, r));
          };
          const program = sg.trace((x: T, y: T) => sg.grad(loss)([x, y]), sg.spec([...shape], sizes, 'x'), sg.spec([...shape], sizes, 'y'));
          const compiled = compile(program, { backend });
          try {
            const got = await compiled.run(d1, d2);
            const want = sg.run(program, d1, d2);
            want.forEach((w, i) => assertClose(backend, `gradient ${i}`, got[i]!.data, w.data));
          } finally {
            compiled.destroy();
          }
        }),
        { numRuns: runs },
      );
    });
  }
});
