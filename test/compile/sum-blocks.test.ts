import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile, isBackendAvailable } from '../../src/compile/index.js';
import { SUM_BLOCK, sumBlocking } from '../../src/compile/sum-blocks.js';

describe('compile/sum-blocks', () => {
  it('cuts a loop nest at the outermost loop whose inner loops fit one block, into runs of whole steps', () => {
    const nest = (...extents: number[]) => extents.map((extent, id) => ({ id, extent }));
    assert.equal(sumBlocking(nest(1024), 1024), undefined);
    assert.equal(sumBlocking(nest(4, 256), 1024), undefined);
    assert.deepEqual(sumBlocking(nest(2 ** 20), 1024), { level: 0, size: 1024 });
    assert.deepEqual(sumBlocking(nest(3, 1000), 1024), { level: 0, size: 1 });
    assert.deepEqual(sumBlocking(nest(8, 2000), 1024), { level: 1, size: 1024 });
    assert.deepEqual(sumBlocking(nest(5, 300, 7), 1024, 4), { level: 1, size: 146 });
    assert.deepEqual(sumBlocking(nest(4097), 1000, 4), { level: 0, size: 1000 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(1, 4), (extents, step) => {
        const b = sumBlocking(nest(...extents), SUM_BLOCK, step);
        const total = extents.reduce((a, e) => a * e, 1);
        if (!b) return assert.ok(total <= SUM_BLOCK || (extents.length === 1 && extents[0]! <= step));
        const inner = extents.slice(b.level + 1).reduce((a, e) => a * e, 1);
        assert.ok(b.size < extents[b.level]!);
        assert.ok(b.size * inner <= SUM_BLOCK || b.size === (b.level === extents.length - 1 ? step : 1));
        if (b.level === extents.length - 1) assert.equal(b.size % step, 0);
      }),
    );
  });
});

/** A cheap deterministic generator: fast-check picks the seed, not 2^26 values one by one. */
function uniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  const xs = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    xs[i] = lo + ((s >>> 0) / 2 ** 32) * (hi - lo);
  }
  return xs;
}

const maxAbs = (xs: ArrayLike<number>) => Array.from(xs).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const sumAbs = (xs: Float32Array) => xs.reduce((a, v) => a + Math.abs(v), 0);

describe('compile: long sums keep float32 error independent of their length', function () {
  this.timeout(600000);

  // Sums along a vector (wasm: four lanes per step), down the columns of a matrix (wasm: f32x4 along
  // the output) and along a contraction's reduction (wasm: a register tile), each bound |error| <= 1e-4 x max |reference| (or the sum's typical size where it cancels).
  const programs = (n: number) => [
    sg.trace((x: Tensor<['I']>) => ({ s: sg.sum(x), m: sg.mean(x) }), sg.spec(['I'], [n], 'x')),
    sg.trace((x: Tensor<['I', 'J']>) => ({ s: sg.sum(x, 'I'), m: sg.mean(x, 'I') }), sg.spec(['I', 'J'], [n / 8, 8], 'x')),
    sg.trace((x: Tensor<['I', 'K']>) => ({ s: sg.einsum('I K, K J -> I J', x, sg.full(1, ['K', 'J'], [n / 8, 4])), m: sg.einsum('I K, J K -> I J', x, sg.full(1, ['J', 'K'], [4, n / 8])) }), sg.spec(['I', 'K'], [8, n / 8], 'x')),
  ];
  // Descriptors, not arrays: a counterexample prints its label, not 2^26 numbers.
  const values = fc.oneof(
    fc.constantFrom(0.1, 0.5).map((v) => ({ label: `constant ${v}`, make: (n: number) => new Float32Array(n).fill(v) })),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => ({ label: `uniform [-1, 1) seed ${seed}`, make: (n: number) => uniform(n, seed, -1, 1) })),
    fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => ({ label: `uniform [0, 1) seed ${seed}`, make: (n: number) => uniform(n, seed, 0, 1) })),
  );
  const constant01 = { label: 'constant 0.1', make: (n: number) => new Float32Array(n).fill(0.1) };

  // gpu.js copies each input into arrays of its own and runs a kernel's loops as JavaScript (cpu) or
  // scalar f32 code (webasm): 2^24 terms take seconds there and 2^26 over a gigabyte, so they stop at 2^24.
  // gpu.js cpu accumulates in float64 JavaScript numbers and so is exact here anyway.
  // headlessgl (llvmpipe under Xvfb) compiles each split kernel for seconds: up to 2^20.
  const sizes: Record<'wasm' | 'webasm' | 'cpu' | 'headlessgl', readonly number[]> = {
    wasm: [2 ** 10, 2 ** 16, 2 ** 20, 2 ** 24, 2 ** 26],
    webasm: [2 ** 10, 2 ** 16, 2 ** 20, 2 ** 24],
    cpu: [2 ** 10, 2 ** 16, 2 ** 20],
    headlessgl: [2 ** 10, 2 ** 16, 2 ** 20],
  };
  for (const backend of ['wasm', 'webasm', 'cpu', 'headlessgl'] as const) {
    it(`${backend}: sums and means of 2^10 .. 2^${Math.log2(sizes[backend].at(-1)!)} values (random, 0.1, 0.5) within 1e-4 of the float64 reference`, async function () {
      if (backend !== 'wasm' && !isBackendAvailable(backend)) this.skip();
      for (const n of sizes[backend]) {
        // One run per program and size beyond 2^20: each allocates hundreds of megabytes.
        const runs = n > 2 ** 20 ? 1 : 3;
        // Beyond 2^24 only the plain vector sum: the reference interpreter takes tens of seconds on the others;
        // on GL beyond 2^16 too: a [2^17, 8] input is a texture past GL's 16384 a side.
        for (const [k, p] of programs(n).slice(0, n > 2 ** 24 || (backend === 'headlessgl' && n > 2 ** 16) ? 1 : 3).entries()) {
          const c = compile(p as sg.Program<readonly unknown[], unknown>, backend === 'wasm' ? { backend, wasm: { threads: 1 } } : { backend });
          await fc.assert(
            fc.asyncProperty(values, async ({ label, make }) => {
              const x = make(n);
              const got = (await c.run(x as never)) as Record<string, sg.NDArray>;
              const want = sg.run(p as sg.Program<readonly unknown[], unknown>, x as never) as Record<string, sg.NDArray>;
              // Terms of both signs can cancel to a sum far smaller than its terms, where no float32
              // input can keep a relative error: such a sum is judged at its typical size, sqrt(L)·mean|x|
              // for L terms (L/mean for the means).
              const length = k === 0 ? n : n / 8;
              const typical = (sumAbs(x) / n) * Math.sqrt(length);
              for (const key of ['s', 'm']) {
                const scale = Math.max(maxAbs(want[key]!.data), key === 's' ? typical : typical / length);
                const err = maxAbs(want[key]!.data.map((v, i) => v - got[key]!.data[i]!));
                assert.ok(err <= 1e-4 * scale, `${backend} n=2^${Math.log2(n)} program ${k} ${key} ${label}: error ${err} > 1e-4 x ${scale}`);
              }
            }),
            { numRuns: runs, examples: n > 2 ** 20 ? [[constant01]] : [] },
          );
          (c as { destroy?: () => void }).destroy?.();
        }
      }
    });
  }
});
