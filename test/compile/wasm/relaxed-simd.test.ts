import { strict as assert } from 'node:assert';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { renderKernelWasm } from '../../../src/compile/wasm/render.js';
import { relaxedSimd } from '../../../src/compile/wasm/relaxed-simd.js';
import { close } from '../../support/dense-program.js';

/** How many f32x4.relaxed_madd instructions (0xfd 0x85 0x02) a function's code holds. */
function madds(bytes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) n++;
  return n;
}

describe('compile/wasm/relaxed-simd', () => {
  const p = sg.trace(
    (a: Tensor<['I', 'K']>, b: Tensor<['K', 'J']>) => ({ dot: sg.einsum('I K, K J -> I J', a, b), e: sg.exp(b) }),
    sg.spec(['I', 'K'], [8, 24], 'a'),
    sg.spec(['K', 'J'], [24, 16], 'b'),
  );
  const a = Array.from({ length: 8 * 24 }, (_, i) => Math.sin(i * 0.7));
  const b = Array.from({ length: 24 * 16 }, (_, i) => Math.cos(i * 0.3));

  it('is on in this Node (V8 20 needs its flag, turned on at run time; 22 and browsers have it)', () => {
    assert.equal(relaxedSimd(), true);
  });

  it("accumulates a contraction's products and evaluates exp's polynomial by fused multiply-adds; fma false keeps a multiply and an add; both give the reference's values", () => {
    const rendered = (fma: boolean) => {
      const c = compileWasm(p, { threads: 1, fma });
      const offsets = new Map([...c.buffers.keys()].map((id) => [id, 0]));
      const count = (op: string) => madds(renderKernelWasm(c.kernels.find((k) => k.ops.includes(op))!, c.buffers, offsets, { fma }).code.bytes);
      return { c, dot: count('einsum'), exp: count('exp') };
    };
    const on = rendered(true);
    const off = rendered(false);
    // A 2 x 4 register tile: 8 accumulators; exp's degree-7 polynomial: 7 steps.
    assert.ok(on.dot >= 8, `${on.dot} relaxed_madd in the contraction`);
    assert.ok(on.exp >= 7, `${on.exp} relaxed_madd in exp`);
    assert.deepEqual([off.dot, off.exp], [0, 0]);
    const want = sg.run(p, a, b);
    for (const c of [on.c, off.c]) {
      const got = c.runSync(a, b);
      close(got.dot.data, want.dot.data);
      close(got.e.data, want.e.data);
    }
    on.c.destroy();
    off.c.destroy();
  });
});
