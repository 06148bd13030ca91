import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { compileWasmCarried, compileWasmCarriedAsync } from '../../../src/compile/wasm/carry.js';
import { InputError } from '../../../src/shape/errors.js';
import { momentumStep } from '../../../bench/workloads/momentum-step.js';

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** One SGD-with-momentum step of a two-layer tanh network: the loss, the new parameters, the new momenta. */
const trainStep = (b: number, c: number, h: number, d: number) => momentumStep(b, c, h, d, 0.05);

const floats = (n: number) => fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -2, max: 2 });

describe('compile/wasm: carried state', function () {
  this.timeout(300000);

  it('a carried training loop computes, bit for bit, what the same calls compute with the state passed back by hand (1 and 2 threads, float64 and float32 outputs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ b: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 7 }), h: fc.integer({ min: 1, max: 9 }), d: fc.integer({ min: 1, max: 5 }), steps: fc.integer({ min: 1, max: 4 }), threads: fc.constantFrom(1, 2), outputs: fc.constantFrom('float64' as const, 'float32' as const) }).chain((s) =>
          fc.record({ s: fc.constant(s), w1: floats(s.c * s.h), w2: floats(s.h * s.d), xs: fc.array(floats(s.b * s.c), { minLength: s.steps, maxLength: s.steps }), ys: fc.array(floats(s.b * s.d), { minLength: s.steps, maxLength: s.steps }), async: fc.boolean() }),
        ),
        async ({ s, w1, w2, xs, ys, async }) => {
          const p = trainStep(s.b, s.c, s.h, s.d);
          const plain = compileWasm(p, { threads: s.threads });
          const carried = compileWasmCarried(p, { threads: s.threads, outputs: s.outputs, carry: { params: 0, momenta: 1 } });
          try {
            let params: { w1: ArrayLike<number> | sg.NDArray; w2: ArrayLike<number> | sg.NDArray } = { w1, w2 };
            let momenta: { w1: ArrayLike<number> | sg.NDArray; w2: ArrayLike<number> | sg.NDArray } = { w1: new Float32Array(w1.length), w2: new Float32Array(w2.length) };
            carried.setState({ params, momenta });
            for (let step = 0; step < s.steps; step++) {
              const want = plain.runSync(params, momenta, xs[step]!, ys[step]!);
              const got = async ? await carried.run(xs[step]!, ys[step]!) : carried.runSync(xs[step]!, ys[step]!);
              assert.deepEqual(Object.keys(got), ['loss']);
              assert.ok(sameBits(got.loss.data, want.loss.data), `step ${step}: loss`);
              const state = carried.state();
              for (const tree of ['params', 'momenta'] as const) {
                for (const leaf of ['w1', 'w2'] as const) {
                  assert.ok(state[tree][leaf].data instanceof (s.outputs === 'float32' ? Float32Array : Float64Array));
                  assert.ok(sameBits(state[tree][leaf].data, want[tree][leaf].data), `step ${step}: ${tree}.${leaf}`);
                }
              }
              params = want.params;
              momenta = want.momenta;
            }
          } finally {
            plain.destroy();
            carried.destroy();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('carries outputs that are other carried inputs unchanged (a swap) through a copy taken before any is overwritten', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 2), (n, steps, threads) => {
        const p = sg.trace((s: { a: Tensor<['N']>; b: Tensor<['N']> }) => ({ total: sg.sum(sg.sub(s.a, sg.mul(s.b, 2))), s: { a: s.b, b: s.a } }), { a: sg.spec(['N'], [n], 'a'), b: sg.spec(['N'], [n], 'b') });
        const c = compileWasmCarried(p, { threads, carry: { s: 0 } });
        try {
          const a = Float32Array.from({ length: n }, (_, i) => i + 1);
          const b = Float32Array.from({ length: n }, (_, i) => -(i + 1) / 4);
          c.setState({ s: { a, b } });
          for (let step = 1; step <= steps; step++) {
            const { total } = c.runSync();
            const [x, y] = step % 2 === 1 ? [a, b] : [b, a];
            assert.equal(total.data[0], Math.fround(sg.run(p, { a: x, b: y }).total.data[0]!));
            const state = c.state().s;
            assert.ok(sameBits(state.a.data, step % 2 === 1 ? b : a), `step ${step}: a`);
            assert.ok(sameBits(state.b.data, step % 2 === 1 ? a : b), `step ${step}: b`);
          }
        } finally {
          c.destroy();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('compiled asynchronously, with every thread a worker (a browser main thread), gives what the synchronous one gives', async () => {
    const p = trainStep(3, 5, 8, 2);
    const w = { w1: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i) / 3), w2: Float32Array.from({ length: 16 }, (_, i) => Math.cos(i) / 3) };
    const zeros = { w1: new Float32Array(40), w2: new Float32Array(16) };
    const x = Float32Array.from({ length: 15 }, (_, i) => i / 15);
    const y = Float32Array.from({ length: 6 }, (_, i) => 1 - i / 6);
    const sync = compileWasmCarried(p, { threads: 1, carry: { params: 0, momenta: 1 } });
    const workers = await compileWasmCarriedAsync(p, { threads: 2, dispatch: 'workers', schedule: { splitMin: 0, syncCost: 0 }, carry: { params: 0, momenta: 1 } });
    try {
      for (const c of [sync, workers]) c.setState({ params: w, momenta: zeros });
      for (let step = 0; step < 3; step++) {
        const want = sync.runSync(x, y);
        const got = await workers.run(x, y);
        assert.ok(sameBits(got.loss.data, want.loss.data), `step ${step}: loss`);
        assert.ok(sameBits(workers.state().params.w1.data, sync.state().params.w1.data), `step ${step}: params.w1`);
      }
      assert.throws(() => workers.runSync(x, y), /use run/);
    } finally {
      sync.destroy();
      workers.destroy();
    }
  });

  it('setState, then state, gives the values set (rounded to float32); state is a copy', () => {
    const c = compileWasmCarried(trainStep(2, 3, 4, 1), { threads: 1, carry: { params: 0, momenta: 1 } });
    const w1 = Array.from({ length: 12 }, (_, i) => i / 3);
    const w2 = [0.1, 0.2, 0.3, 0.4];
    c.setState({ params: { w1, w2 }, momenta: { w1: new Float64Array(12), w2: new Float64Array(4) } });
    const s = c.state();
    assert.ok(sameBits(s.params.w1.data, Float32Array.from(w1)));
    assert.deepEqual(s.params.w1.axes, ['C', 'H']);
    s.params.w2.data[0] = 99;
    assert.equal(c.state().params.w2.data[0], Math.fround(0.1));
    c.destroy();
  });

  it('refuses what does not fit, naming it: a carried argument passed anyway, a call or a read before setState, setState with missing keys or the wrong length', () => {
    const c = compileWasmCarried(trainStep(2, 3, 4, 1), { threads: 1, carry: { params: 0, momenta: 1 } });
    const x = new Float32Array(6);
    const y = new Float32Array(2);
    const w = { w1: new Float32Array(12), w2: new Float32Array(4) };
    assert.deepEqual(c.freeArguments, [2, 3]);
    assert.throws(() => c.runSync(x, y), (e: Error) => e instanceof InputError && /run: the carried state \(arg\[0\] from output 'params', arg\[1\] from output 'momenta'\) has no value yet; call setState/.test(e.message));
    assert.throws(() => c.state(), (e: Error) => e instanceof InputError && /state: the carried state .* has no value yet/.test(e.message));
    assert.throws(() => c.setState({ params: w } as never), (e: Error) => e instanceof InputError && /setState: expected keys momenta, params \(the carried outputs\); got params/.test(e.message));
    assert.throws(() => c.setState({ params: { w1: new Float32Array(11), w2: w.w2 }, momenta: w }), (e: Error) => e instanceof InputError && /input w1 \(arg\[0\]\.w1\): 11 values given, but shape \[C=3, H=4\] needs 12/.test(e.message));
    assert.throws(() => c.state(), /has no value yet/, 'a refused setState sets nothing');
    c.setState({ params: w, momenta: w });
    assert.throws(() => (c.runSync as (...a: unknown[]) => unknown)(w, w, x, y), (e: Error) => e instanceof InputError && /program takes 2 arguments \(arg\[2\], arg\[3\]; arg\[0\] from output 'params', arg\[1\] from output 'momenta' are carried: set them with setState\); got 4/.test(e.message));
    assert.throws(() => c.runSync(new Float32Array(5), y), (e: Error) => e instanceof InputError && /input x \(arg\[2\]\): 5 values given/.test(e.message));
    c.runSync(x, y);
    c.destroy();
  });

  it('a snapshot keeps the carried values: valuesOf reads what state() read when it was taken, and restore resumes the loop bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(1, 2), fc.constantFrom('float64' as const, 'float32' as const), (before, after, threads, outputs) => {
        const c = compileWasmCarried(trainStep(3, 4, 5, 2), { threads, outputs, carry: { params: 0, momenta: 1 } });
        try {
          const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
          const y = Float32Array.from({ length: 6 }, (_, i) => Math.cos(i));
          c.setState({ params: { w1: Float32Array.from({ length: 20 }, (_, i) => Math.cos(i * 3) / 2), w2: Float32Array.from({ length: 10 }, (_, i) => Math.sin(i * 5) / 2) }, momenta: { w1: new Float32Array(20), w2: new Float32Array(10) } });
          for (let i = 0; i < before; i++) c.runSync(x, y);
          const kept = c.state();
          const snapshot = c.snapshot();
          const losses = Array.from({ length: after }, () => c.runSync(x, y).loss.data[0]!);
          const then = c.state();
          assert.deepEqual(c.valuesOf(snapshot), kept);
          c.restore(snapshot);
          assert.deepEqual(c.state(), kept);
          const again = Array.from({ length: after }, () => c.runSync(x, y).loss.data[0]!);
          assert.ok(sameBits(again, losses));
          assert.deepEqual(c.state(), then);
        } finally {
          c.destroy();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a snapshot of another program, and a snapshot before setState', () => {
    const a = compileWasmCarried(trainStep(2, 3, 4, 1), { threads: 1, carry: { params: 0, momenta: 1 } });
    const b = compileWasmCarried(trainStep(2, 3, 4, 1), { threads: 1, carry: { params: 0, momenta: 1 } });
    try {
      assert.throws(() => a.snapshot(), (e: Error) => e instanceof InputError && /snapshot: the carried state .* has no value yet/.test(e.message));
      const w = { w1: new Float32Array(12), w2: new Float32Array(4) };
      a.setState({ params: w, momenta: w });
      b.setState({ params: w, momenta: w });
      const s = a.snapshot();
      assert.throws(() => b.restore(s), (e: Error) => e instanceof InputError && /restore: the snapshot was not taken from this program/.test(e.message));
      assert.throws(() => b.valuesOf(s), /valuesOf: the snapshot was not taken from this program/);
      assert.throws(() => a.restore({} as never), /restore: the snapshot was not taken from this program/);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('refuses a carry declaration that does not fit the program, naming the output and the argument', () => {
    const p = trainStep(2, 3, 4, 1);
    assert.throws(() => compileWasmCarried(p, { carry: { weights: 0 } as never }), /carry: the program has no output 'weights' \(its outputs: loss, momenta, params\)/);
    assert.throws(() => compileWasmCarried(p, { carry: { params: 4 } }), /carry: output 'params' is carried to argument 4, but the program takes arguments 0 to 3/);
    assert.throws(() => compileWasmCarried(p, { carry: { params: 0, momenta: 0 } }), /carry: outputs 'params' and 'momenta' are both carried to argument 0/);
    assert.throws(() => compileWasmCarried(p, { carry: { params: 2 } }), /carry: output 'params' and argument 2 are trees of different structure \(2 and 1 tensors\)/);
    assert.throws(() => compileWasmCarried(p, { carry: { loss: 3 } }), /carry: output 'loss' tensor 0 has shape \[\] but input y \(arg\[3\]\) has \[B=2, D=1\]/);
    const tuple = sg.trace((x: Tensor<['N']>) => [sg.neg(x), sg.sum(x)] as const, sg.spec(['N'], [3], 'x'));
    assert.throws(() => compileWasmCarried(tuple, { carry: {} }), /carry: the program must return a record/);
  });
});
