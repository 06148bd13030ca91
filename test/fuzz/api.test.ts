/**
 * Fuzz: the library's entry points fed random shapes, axis names, NaN, infinities and huge
 * sizes. Each call either gives the right result or throws a named error (ShapeError,
 * InputError; RangeError for a tensor too large to hold) whose one-line message names the
 * function or input and the axis at fault; the interpreter and a compiled wasm program
 * check run()'s arguments alike.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile } from '../../src/compile/index.js';

const axisName = fc.oneof(fc.constantFrom('B', 'C', 'I', 'B', 'x.y', '0', 'ä', '__proto__', 'a b'), fc.string({ minLength: 1, maxLength: 3 }));
// Huge sizes beyond what a Float64Array holds (2^32 - 1), which are refused at once; a size such as
// 2^31 is allowed, and would allocate 16 GB here.
const size = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, NaN, Infinity, -Infinity, 2 ** 33, 2 ** 53) });
const number = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e39, -0, 5e-324) });
const shape = fc.array(fc.tuple(axisName, size), { maxLength: 3 });

const isCount = (n: number) => Number.isInteger(n) && n >= 0;

/** A named error with one line; `names` must all appear in the message. */
function clearError(e: unknown, classes: readonly string[], names: readonly string[]): void {
  assert.ok(e instanceof Error, String(e));
  assert.ok(classes.includes(e.name), `${e.name}: ${e.message}`);
  assert.ok(!e.message.includes('\n'), e.message);
  for (const n of names) assert.ok(e.message.includes(n), `"${e.message}" does not name ${n}`);
}

describe('fuzz: the API', function () {
  this.timeout(120_000);

  it('fromArray: the tensor asked for, or a ShapeError / InputError naming the axis or the input', () => {
    let built = 0;
    fc.assert(
      fc.property(shape, fc.array(number, { maxLength: 20 }), fc.boolean(), (dims, values, fit) => {
        const axes = dims.map(([a]) => a);
        const sizes = dims.map(([, n]) => n);
        const count = sizes.every(isCount) ? sizes.reduce((a, b) => a * b, 1) : -1;
        const data = fit && count >= 0 && count <= 64 ? Array.from({ length: count }, (_, i) => values[i % Math.max(values.length, 1)] ?? 0) : values;
        let t: Tensor;
        try {
          t = sg.fromArray(data, axes, sizes);
        } catch (e) {
          const badSize = sizes.findIndex((n) => !isCount(n));
          clearError(e, ['ShapeError', 'InputError'], badSize >= 0 ? [axes[badSize]!] : []);
          return;
        }
        assert.ok(sizes.every(isCount) && new Set(axes).size === axes.length && data.length === count && data.every(Number.isFinite), `accepted ${JSON.stringify({ axes, sizes, data })}`);
        assert.deepEqual([t.axes, t.sizes], [axes, sizes]);
        assert.deepEqual(Array.from(sg.evaluate(t).data), data.map(Number));
        built++;
      }),
      { numRuns: 400 },
    );
    assert.ok(built >= 20, `only ${built} of 400 calls built a tensor`);
  });

  it('full and evaluate: the values asked for, or a named error (RangeError when too large to hold)', () => {
    fc.assert(
      fc.property(shape, fc.double({ min: -10, max: 10, noNaN: true }), (dims, v) => {
        const axes = dims.map(([a]) => a);
        const sizes = dims.map(([, n]) => n);
        let data: Float64Array;
        try {
          data = sg.evaluate(sg.full(v, axes, sizes)).data;
        } catch (e) {
          clearError(e, ['ShapeError', 'RangeError'], []);
          if ((e as Error).name === 'RangeError') assert.match((e as Error).message, /elements/);
          return;
        }
        assert.equal(data.length, sizes.reduce((a, b) => a * b, 1));
        assert.ok(data.every((x) => Object.is(x, v)));
      }),
      { numRuns: 200 },
    );
  });

  describe('run(): arguments checked alike by the interpreter and compiled wasm', () => {
    const program = sg.trace((x: Tensor<['B', 'C']>) => sg.mul(x, 2), sg.spec(['B', 'C'], [2, 3], 'x'));
    const wasm = compile(program, { backend: 'wasm', wasm: { threads: 1 } });
    after(() => wasm.destroy());

    const ndarray = fc.record({ axes: fc.oneof(fc.constant(['B', 'C']), fc.array(axisName, { maxLength: 3 })), sizes: fc.oneof(fc.constant([2, 3]), fc.array(size, { maxLength: 3 })), data: fc.array(number, { minLength: 0, maxLength: 8 }).map((a) => Float64Array.from(a)) });
    const argument = fc.oneof(
      ndarray,
      fc.array(number, { minLength: 5, maxLength: 7 }),
      fc.array(number, { minLength: 6, maxLength: 6 }).map((a) => Float32Array.from(a)),
      fc.constantFrom(null, undefined, 'abc', 3, {}, [[1, 2, 3], [4, 5, 6]]),
    );

    it('the doubled values, or an InputError naming input x, the same on both', async () => {
      let computed = 0;
      await fc.assert(
        fc.asyncProperty(argument, async (arg) => {
          const outcomes: Array<{ ok: Float64Array } | { error: string }> = [];
          for (const run of [async () => sg.run(program, arg as never), () => wasm.run(arg as never)]) {
            try {
              outcomes.push({ ok: ((await run()) as sg.NDArray).data });
            } catch (e) {
              clearError(e, ['InputError'], []);
              assert.match((e as Error).message, /^input (x \(arg\[0\]\)|arg\[0\]): /);
              outcomes.push({ error: (e as Error).message });
            }
          }
          const [ref, compiled] = outcomes;
          if ('ok' in ref! && 'ok' in compiled!) {
            const given = Float64Array.from(ArrayBuffer.isView(arg) ? (arg as Float32Array) : Array.isArray(arg) ? (arg as number[]) : (arg as { data: Float64Array }).data);
            given.forEach((v, i) => {
              assert.equal(ref.ok[i], 2 * v);
              assert.ok(Math.abs(compiled.ok[i]! - 2 * v) <= 2 ** -23 * Math.abs(2 * v) + 1e-37, `${compiled.ok[i]} for 2 * ${v}`);
            });
            computed++;
          } else if ('error' in ref!) {
            assert.ok('error' in compiled!, `wasm accepted what the interpreter refused: ${ref.error}`);
          } else {
            // only float32's range may separate them
            assert.match((compiled as { error: string }).error, /beyond float32's range/);
          }
        }),
        { numRuns: 300 },
      );
      assert.ok(computed >= 20, `only ${computed} of 300 runs computed`);
    });
  });

  it('spec: a spec, or a ShapeError naming the axis', () => {
    fc.assert(
      fc.property(shape, (dims) => {
        const axes = dims.map(([a]) => a);
        const sizes = dims.map(([, n]) => n);
        try {
          const s = sg.spec(axes, sizes);
          assert.ok(sizes.every(isCount) && new Set(axes).size === axes.length);
          assert.deepEqual([s.axes, s.sizes], [axes, sizes]);
        } catch (e) {
          const badSize = sizes.findIndex((n) => !isCount(n));
          clearError(e, ['ShapeError'], badSize >= 0 ? [axes[badSize]!] : []);
        }
      }),
      { numRuns: 200 },
    );
  });
});
