import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { NDArray } from '../../src/index.js';
import { compileWasm } from '../../src/compile/wasm/program.js';
import { compileWasmCarried } from '../../src/compile/wasm/carry.js';
import { InputError } from '../../src/shape/errors.js';
import { residency, type CarriedModule } from '../../src/train/resident-state.js';
import { momentumStep } from '../../bench/workloads/momentum-step.js';

type Leaves = { readonly w1: NDArray; readonly w2: NDArray };
interface Values {
  readonly params: Leaves;
  readonly momenta: Leaves;
}
interface State extends Values {
  readonly n: number;
}

const [B, C, H, D] = [3, 4, 5, 2];
const nd = (axes: string[], sizes: number[], f: (i: number) => number): NDArray => ({ axes, sizes, data: Float64Array.from({ length: sizes.reduce((a, b) => a * b, 1) }, (_, i) => Math.fround(f(i))) });
const first: State = {
  params: { w1: nd(['C', 'H'], [C, H], (i) => Math.cos(i * 3) / 2), w2: nd(['H', 'D'], [H, D], (i) => Math.sin(i * 5) / 2) },
  momenta: { w1: nd(['C', 'H'], [C, H], () => 0), w2: nd(['H', 'D'], [H, D], () => 0) },
  n: 0,
};
const batches = [0, 1, 2].map((k) => ({ x: Float32Array.from({ length: B * C }, (_, i) => Math.sin(i + k)), y: Float32Array.from({ length: B * D }, (_, i) => Math.cos(i * k)) }));
const valuesOf = (s: Values): Values => ({ params: s.params, momenta: s.momenta });

/** A resident stepper over the momentum step, and the plain compiled step it must agree with. */
function setup(threads: number) {
  const program = momentumStep(B, C, H, D, 0.05);
  const plain = compileWasm(program, { threads });
  const carried = compileWasmCarried(program, { threads, carry: { params: 0, momenta: 1 } });
  const states = residency(carried as unknown as CarriedModule<Values>, ['params', 'momenta']);
  const step = async (s: State, k: number): Promise<State> => (await states.step(s, () => carried.run(batches[k]!.x, batches[k]!.y), { n: s.n + 1 })).state;
  const reference = (s: Values, k: number): Values => {
    const out = plain.runSync(s.params, s.momenta, batches[k]!.x, batches[k]!.y);
    return { params: out.params, momenta: out.momenta };
  };
  return { step, reference, states, carried, destroy: () => (plain.destroy(), carried.destroy()) };
}

/** `f` on a fresh setup, destroyed afterwards. */
async function using(threads: number, f: (t: ReturnType<typeof setup>) => Promise<void>): Promise<void> {
  const t = setup(threads);
  try {
    await f(t);
  } finally {
    t.destroy();
  }
}

describe('train/resident-state', function () {
  this.timeout(300000);

  it('stepping any earlier state, reading any state at any time, gives bit for bit what the same steps give with the state passed in and out', async () => {
    const op = fc.record({ from: fc.nat(), batch: fc.integer({ min: 0, max: 2 }), readFirst: fc.boolean(), readAny: fc.nat() });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), fc.constantFrom(1, 2), (ops, threads) =>
        using(threads, async (t) => {
          const got: State[] = [first];
          const want: Values[] = [valuesOf(first)];
          for (const o of ops) {
            const i = o.from % got.length;
            if (o.readFirst) void got[o.readAny % got.length]!.params.w1.data[0];
            got.push(await t.step(got[i]!, o.batch));
            want.push(t.reference(want[i]!, o.batch));
            assert.equal(got[got.length - 1]!.n, got[i]!.n + 1);
          }
          got.forEach((s, i) => assert.deepEqual(valuesOf(s), want[i], `state ${i}`));
        }),
      ),
      { numRuns: 40 },
    );
  });

  it('steps started together run one after another, each on its own state', () =>
    using(2, async (t) => {
      const a = await t.step(first, 0);
      const [b, c, d] = await Promise.all([t.step(a, 1), t.step(first, 2), t.step(a, 1)]);
      assert.deepEqual(valuesOf(b!), t.reference(t.reference(first, 0), 1));
      assert.deepEqual(valuesOf(c!), t.reference(first, 2));
      assert.deepEqual(valuesOf(d!), valuesOf(b!));
    }));

  it('a spread state is a plain one with the same values; a state of other values is checked when it is stepped', () =>
    using(1, async (t) => {
      const a = await t.step(first, 0);
      const copy = { ...a, n: 7 };
      assert.deepEqual(Object.keys(copy).sort(), ['momenta', 'n', 'params']);
      assert.deepEqual(valuesOf(await t.step(copy, 1)), t.reference(t.reference(first, 0), 1));
      const broken = { ...first, params: { ...first.params, w2: nd(['H', 'D'], [H, D], (i) => (i === 3 ? Number.NaN : 0)) } };
      await assert.rejects(t.step(broken, 0), (e: Error) => e instanceof InputError && /w2/.test(e.message) && /NaN/.test(e.message));
      // The refused state changed nothing: the states before it step as they did.
      assert.deepEqual(valuesOf(await t.step(a, 2)), t.reference(t.reference(first, 0), 2));
    }));

  it('a call that fails leaves every state readable and steppable', () =>
    using(1, async (t) => {
      const a = await t.step(first, 0);
      await assert.rejects(t.states.step(a, () => t.carried.run(new Float32Array(5), batches[0]!.y), { n: 2 }), (e: Error) => e instanceof InputError && /5 values given/.test(e.message));
      assert.deepEqual(valuesOf(a), t.reference(first, 0));
      assert.deepEqual(valuesOf(await t.step(a, 1)), t.reference(t.reference(first, 0), 1));
    }));
});
