import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { InputError } from '../../../src/shape/errors.js';

/** Float32 values a program may take: finite, not too large for a small matmul and a softmax. */
const values = (n: number) => fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -8, max: 8 });

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

function program(i: number, k: number, j: number) {
  return sg.trace(
    (x: Tensor<['I', 'K']>, w: Tensor<['K', 'J']>) => ({ y: sg.einsum('I K, K J -> I J', x, w), p: sg.softmax(sg.tanh(sg.einsum('I K, K J -> I J', x, w)), 'J'), s: sg.sum(x) }),
    sg.spec(['I', 'K'], [i, k], 'x'),
    sg.spec(['K', 'J'], [k, j], 'w'),
  );
}

describe('compile/wasm: float32 in, float32 out', function () {
  this.timeout(300000);

  it('returns, bit for bit, the float32 values the float64 path widens; Float32Array inputs give what their float64 copies give', () => {
    fc.assert(
      fc.property(
        fc.record({ i: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 9 }), j: fc.integer({ min: 1, max: 9 }), threads: fc.constantFrom(1, 2) }).chain((s) =>
          fc.record({ s: fc.constant(s), x: values(s.i * s.k), w: values(s.k * s.j), asNDArray: fc.boolean() }),
        ),
        ({ s, x, w, asNDArray }) => {
          const p = program(s.i, s.k, s.j);
          const wide = compileWasm(p, { threads: s.threads });
          const narrow = compileWasm(p, { threads: s.threads, outputs: 'float32' });
          try {
            const want = wide.runSync(Float64Array.from(x), Array.from(w));
            const xin = asNDArray ? { axes: ['I', 'K'] as const, sizes: [s.i, s.k], data: x } : x;
            const got = narrow.runSync(xin as unknown as Float32Array, w);
            for (const key of ['y', 'p', 's'] as const) {
              assert.ok(got[key].data instanceof Float32Array, `${key} is a Float32Array`);
              assert.ok(sameBits(got[key].data, want[key].data), `${key}: float32 output differs from the widened one`);
              assert.deepEqual(got[key].sizes, want[key].sizes);
              assert.deepEqual(got[key].axes, want[key].axes);
            }
          } finally {
            wide.destroy();
            narrow.destroy();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('returns copies: a later call does not change an earlier call\'s outputs', () => {
    const p = program(3, 4, 5);
    const c = compileWasm(p, { threads: 1, outputs: 'float32' });
    const x1 = Float32Array.from({ length: 12 }, (_, i) => i / 7);
    const w = Float32Array.from({ length: 20 }, (_, i) => Math.cos(i));
    const first = c.runSync(x1, w);
    const kept = first.y.data.slice();
    c.runSync(x1.map((v) => -v), w);
    assert.ok(sameBits(first.y.data, kept));
  });

  it('through compile: outputs float32 on the wasm backend and on gpu.js\'s cpu backend, equal to the widened values', async () => {
    const p = program(2, 3, 4);
    const x = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);
    const w = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
    for (const backend of ['wasm', 'cpu'] as const) {
      const wide = sg.compile(p, { backend });
      const narrow = sg.compile(p, { backend, outputs: 'float32' });
      const want = await wide.run(x, w);
      const got = await narrow.run(x, w);
      assert.ok(got.y.data instanceof Float32Array, backend);
      assert.ok(sameBits(got.y.data, want.y.data), backend);
      wide.destroy();
      narrow.destroy();
    }
  });

  it('refuses a Float32Array holding NaN or an infinity anywhere (the module checks four lanes at a time, the tail on the host), naming the element', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }).chain((n) => fc.record({ n: fc.constant(n), at: fc.integer({ min: 0, max: n - 1 }), bad: fc.constantFrom(NaN, Infinity, -Infinity), threads: fc.constantFrom(1, 2) })),
        ({ n, at, bad, threads }) => {
          const p = sg.trace((x: Tensor<['N']>) => ({ s: sg.sum(x) }), sg.spec(['N'], [n], 'x'));
          const c = compileWasm(p, { threads });
          try {
            const x = Float32Array.from({ length: n }, (_, i) => i - n / 2);
            assert.equal(c.runSync(x).s.data[0], Math.fround(sg.run(p, x).s.data[0]!));
            x[at] = bad;
            assert.throws(() => c.runSync(x), (e: Error) => e instanceof InputError && e.message === `input x (arg[0]): value ${bad} at [N=${at}] is not finite`);
          } finally {
            c.destroy();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a Float32Array of the wrong length, a non-finite float32 and an NDArray of another shape, naming the input', () => {
    const c = compileWasm(program(2, 3, 4), { threads: 1, outputs: 'float32' });
    const w = new Float32Array(12);
    assert.throws(() => c.runSync(new Float32Array(5), w), (e: Error) => e instanceof InputError && /input x \(arg\[0\]\): 5 values given, but shape \[I=2, K=3\] needs 6/.test(e.message));
    assert.throws(() => c.runSync(Float32Array.of(1, 2, NaN, 4, 5, 6), w), (e: Error) => e instanceof InputError && /input x \(arg\[0\]\): value NaN at \[I=0, K=2\] is not finite/.test(e.message));
    assert.throws(() => c.runSync(new Float32Array(6), { axes: ['K', 'J'], sizes: [4, 3], data: w } as unknown as Float32Array), (e: Error) => e instanceof InputError && /input w \(arg\[1\]\): expected shape/.test(e.message));
  });
});
