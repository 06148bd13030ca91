import { strict as assert } from 'node:assert';
import * as sg from '../../../src/index.js';
import { compile } from '../../../src/compile/compile.js';
import { availableBackends } from '../../../src/compile/gpujs/backends.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';

const N = 512;

/** Best of a few runs, in milliseconds. */
async function best(f: () => unknown, reps: number): Promise<number> {
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

describe('compile/wasm: timing (printed, not asserted)', function () {
  this.timeout(600000);

  it(`${N}x${N} matmul: native wasm vs gpu.js webasm`, async () => {
    const p = sg.trace((a, b) => sg.einsum('M K, K N -> M N', a, b), sg.spec(['M', 'K'], [N, N], 'a'), sg.spec(['K', 'N'], [N, N], 'b'));
    const a = Float32Array.from({ length: N * N }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: N * N }, (_, i) => Math.cos(i));
    const gflop = (ms: number) => ((2 * N * N * N) / ms / 1e6).toFixed(2);

    const native = compileWasm(p, { threads: 1 });
    const out = native.runSync(a, b);
    // Spot-check a few elements against float64 dot products.
    for (const [i, j] of [[0, 0], [17, 300], [511, 511]] as const) {
      let s = 0;
      for (let k = 0; k < N; k++) s += a[i * N + k]! * b[k * N + j]!;
      assert.ok(Math.abs(out.data[i * N + j]! - s) <= 1e-4 * 30, `[${i}, ${j}]: ${out.data[i * N + j]} vs ${s}`);
    }
    const tNative = await best(() => native.runSync(a, b), 5);
    console.log(`      native wasm (f32x4, 1 thread): ${tNative.toFixed(1)} ms, ${gflop(tNative)} GFLOP/s`);
    const threaded = compileWasm(p, { threads: 2 });
    assert.deepEqual(threaded.runSync(a, b).data, out.data);
    const tThreaded = await best(() => threaded.runSync(a, b), 10);
    console.log(`      native wasm (f32x4, 2 threads): ${tThreaded.toFixed(1)} ms, ${gflop(tThreaded)} GFLOP/s`);
    const scalar = compileWasm(p, { simd: false, threads: 1 });
    const tScalar = await best(() => scalar.runSync(a, b), 3);
    console.log(`      native wasm (scalar, 1 thread): ${tScalar.toFixed(1)} ms, ${gflop(tScalar)} GFLOP/s`);

    // The transposed operands autodiff produces: A B^T (reductions run along their contiguous loop) and A^T B.
    for (const spec of ['M K, N K -> M N', 'K M, K N -> M N']) {
      const [l, r] = spec.split(' -> ')[0]!.split(', ').map((s) => s.split(' '));
      const einsum = sg.einsum as unknown as (spec: string, ...xs: unknown[]) => sg.Tensor;
      const q = sg.trace((x, y) => einsum(spec, x, y), sg.spec(l!, [N, N], 'a'), sg.spec(r!, [N, N], 'b'));
      const c = compileWasm(q, { threads: 1 });
      c.runSync(a, b);
      const t = await best(() => c.runSync(a, b), 5);
      console.log(`      native wasm (f32x4, 1 thread) ${spec}: ${t.toFixed(1)} ms, ${gflop(t)} GFLOP/s`);
    }

    if (availableBackends().includes('webasm')) {
      const gpu = compile(p, { backend: 'webasm' });
      try {
        await gpu.run(a, b);
        const tGpu = await best(() => gpu.run(a, b), 3);
        console.log(`      gpu.js webasm (${gpu.lastRun()!.executorKind}): ${tGpu.toFixed(1)} ms, ${gflop(tGpu)} GFLOP/s; native is ${(tGpu / tNative).toFixed(2)}x faster`);
      } finally {
        gpu.destroy();
      }
    }
  });
});
