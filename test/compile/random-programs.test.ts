import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile } from '../../src/compile/compile.js';
import { availableBackends, type GpujsBackend } from '../../src/compile/gpujs/backends.js';

type T = Tensor<['A', 'B', 'C']>;
const sizes = { A: 2, B: 3, C: 4 };
const shape = ['A', 'B', 'C'] as const;
const like = (t: Tensor, target: T) => sg.broadcast(t as Tensor<string[]>, [...shape] as never, target.sizes) as unknown as T;

/** Ops over [A, B, C] tensors that keep values in a moderate range. */
const unary: readonly ((x: T) => T)[] = [
  (x) => sg.tanh(x),
  (x) => sg.gelu(x),
  (x) => sg.exp(sg.mul(sg.tanh(x), 0.5)),
  (x) => sg.softmax(x, 'C'),
  (x) => sg.layerNorm(x, 'C'),
  (x) => sg.l2Normalize(x, 'B'),
  // Reductions broadcast back are combined with x, so no row becomes constant (a constant row
  // makes layerNorm ill-conditioned: float32 cannot follow it, nor should it have to).
  (x) => sg.add(x, sg.mul(like(sg.sum(x, 'B'), x), 0.5)),
  (x) => sg.sub(x, like(sg.max(x, ['A', 'C']), x)),
  (x) => sg.transpose(sg.transpose(x, ['C', 'A', 'B']), ['A', 'B', 'C']),
  (x) => sg.concat([sg.slice(x, 'C', 2, 4), sg.slice(x, 'C', 0, 2)], 'C'),
  (x) => sg.pad(sg.slice(x, 'B', 1, 3), 'B', 1, 0),
  (x) => {
    const gram = sg.mul(sg.einsum('A B C, A B D -> C D', x, sg.rename(x, { C: 'D' })), 0.1);
    return sg.rename(sg.einsum('A B C, C D -> A B D', x, gram), { D: 'C' }) as unknown as T;
  },
  (x) => sg.sqrt(sg.add(sg.mul(x, x), 1)),
  (x) => sg.select(sg.greater(x, 0), x, sg.mul(x, 0.1)),
];
const binary: readonly ((x: T, y: T) => T)[] = [
  (x, y) => sg.add(x, y),
  (x, y) => sg.mul(x, y),
  (x, y) => sg.sub(x, sg.mul(y, 0.5)),
  (x, y) => sg.div(x, sg.add(sg.mul(y, y), 1)),
  (x, y) => sg.maximum(x, y),
];

type Step = { kind: 'u'; op: number; a: number } | { kind: 'b'; op: number; a: number; b: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('u' as const), op: fc.nat(unary.length - 1), a: fc.nat() }),
  fc.record({ kind: fc.constant('b' as const), op: fc.nat(binary.length - 1), a: fc.nat(), b: fc.nat() }),
);

function build(steps: readonly Step[], inputs: readonly T[]): T[] {
  const pool = [...inputs];
  for (const s of steps) {
    const a = pool[s.a % pool.length]!;
    pool.push(s.kind === 'u' ? unary[s.op]!(a) : binary[s.op]!(a, pool[s.b % pool.length]!));
  }
  // Two outputs: the last value and a reduction of an earlier one.
  return [pool[pool.length - 1]!, like(sg.sum(pool[Math.floor(pool.length / 2)]!, ['A', 'B']), pool[0]!)];
}

/**
 * |error| <= 1e-4 x the largest reference magnitude of the tensor. A tensor
 * whose values all cancel to below 1e-2 (a gradient that is mathematically
 * about zero) is held to 1e-6 absolute: float32 cannot resolve it relatively.
 */
function assertClose(backend: string, what: string, actual: Float64Array, expected: Float64Array): void {
  const scale = Math.max(1e-2, ...Array.from(expected, Math.abs));
  actual.forEach((v, i) => {
    const err = Math.abs(v - expected[i]!);
    if (!(err <= 1e-4 * scale)) throw new Error(`${backend} ${what}[${i}]: ${v} vs reference ${expected[i]} (scale ${scale})`);
  });
}

/**
 * Well-conditioned data: a permutation of 24 values spread over [-1.44, 1.44], binary fractions exact in float32
 * (no ties for max to split differently, no nearly-constant rows for layerNorm to amplify).
 */
const dataArb = fc
  .shuffledSubarray(Array.from({ length: 24 }, (_, i) => i), { minLength: 24, maxLength: 24 })
  .map((perm) => perm.map((k) => (k - 11.5) / 8));
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
