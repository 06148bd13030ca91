import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile } from '../../src/compile/compile.js';

// Attention logits over heads cut from one fused qkv projection (XCiT's class attention): a slice
// of a buffer read through a reshape lowers to a flat index unflattened by division and remainder,
// nested once per reshape. Rendered as is, each read of such a kernel was ~1,500 characters of
// Math.floor and %, and Chromium's WebGL2 (ANGLE on SwiftShader) spent 396 s compiling the shader,
// then returned wrong values (the browser suite's class_attention golden file). The gpu.js
// renderer now gets the kernels with their indices simplified by range, as the native one does.
describe('compile (gpu.js): indices through reshapes and slices are simplified before rendering', () => {
  const program = sg.trace(
    (qkv: Tensor<['B', 'N', 'C']>) => {
      const heads = (start: number) => sg.unflatten(sg.slice(qkv, 'C', start, start + 16), 'C', ['H', 'D'], [4, 4]);
      const q = sg.rename(heads(0), { N: 'M' });
      return sg.mul(sg.einsum('B M H D, B N H D -> B H M N', q, heads(16)), 0.5);
    },
    sg.spec(['B', 'N', 'C'], [2, 5, 48], 'qkv'),
  );
  const qkv = Float32Array.from({ length: 2 * 5 * 48 }, (_, i) => Math.sin(i * 0.7));

  it('reads the sliced heads with affine indices (no division or remainder left) and agrees with the reference', async () => {
    const c = compile(program, { backend: 'cpu' });
    try {
      const contraction = c.sources.find((s) => s.includes('acc0'))!;
      assert.ok(contraction !== undefined, c.sources.join('\n'));
      // The output cell's own index may be unflattened from the thread's; the reads must be affine.
      const reads = contraction.split('\n').filter((line) => /\bb\d+\[/.test(line));
      assert.ok(reads.length > 0, contraction);
      assert.ok(!reads.some((line) => /Math\.floor|%/.test(line)), `index arithmetic left in the reads:\n${contraction}`);
      const [got] = [await c.run(qkv)] as unknown as [sg.NDArray];
      const want = sg.run(program, qkv) as sg.NDArray;
      const scale = Math.max(...Array.from(want.data, Math.abs));
      want.data.forEach((v, i) => assert.ok(Math.abs(got.data[i]! - v) <= 1e-4 * scale, `element ${i}: ${got.data[i]} vs ${v}`));
    } finally {
      c.destroy();
    }
  });
});
