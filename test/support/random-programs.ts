/**
 * The random-program property shared by the compile tests of every backend: small programs over
 * [A, B, C] tensors drawn as sequences of ops that keep values in a moderate range, well-conditioned
 * data, and the float32 tolerance against the float64 reference.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

export type T = Tensor<['A', 'B', 'C']>;
export const shape = ['A', 'B', 'C'] as const;
export const like = (t: Tensor, target: T) => sg.broadcast(t as Tensor<string[]>, [...shape] as never, target.sizes) as unknown as T;

export const unary: readonly ((x: T) => T)[] = [
  (x) => sg.tanh(x),
  (x) => sg.gelu(x),
  (x) => sg.exp(sg.mul(sg.tanh(x), 0.5)),
  (x) => sg.softmax(x, 'C'),
  (x) => sg.layerNorm(x, 'C'),
  (x) => sg.l2Normalize(x, 'B'),
  (x) => sg.add(x, sg.mul(like(sg.sum(x, 'B'), x), 0.5)),
  (x) => sg.sub(x, like(sg.max(x, ['A', 'C']), x)),
  (x) => sg.transpose(sg.transpose(x, ['C', 'A', 'B']), ['A', 'B', 'C']),
  (x) => sg.concat([sg.slice(x, 'C', 2, x.size('C')), sg.slice(x, 'C', 0, 2)], 'C'),
  (x) => sg.pad(sg.slice(x, 'B', 1, x.size('B')), 'B', 1, 0),
  (x) => {
    const gram = sg.mul(sg.einsum('A B C, A B D -> C D', x, sg.rename(x, { C: 'D' })), 0.1);
    return sg.rename(sg.einsum('A B C, C D -> A B D', x, gram), { D: 'C' }) as unknown as T;
  },
  (x) => sg.sqrt(sg.add(sg.mul(x, x), 1)),
  (x) => sg.select(sg.greater(x, 0), x, sg.mul(x, 0.1)),
];
export const binary: readonly ((x: T, y: T) => T)[] = [
  (x, y) => sg.add(x, y),
  (x, y) => sg.mul(x, y),
  (x, y) => sg.sub(x, sg.mul(y, 0.5)),
  (x, y) => sg.div(x, sg.add(sg.mul(y, y), 1)),
  (x, y) => sg.maximum(x, y),
];

export type Step = { kind: 'u'; op: number; a: number } | { kind: 'b'; op: number; a: number; b: number };
export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('u' as const), op: fc.nat(unary.length - 1), a: fc.nat() }),
  fc.record({ kind: fc.constant('b' as const), op: fc.nat(binary.length - 1), a: fc.nat(), b: fc.nat() }),
);

export function build(steps: readonly Step[], inputs: readonly T[]): T[] {
  const pool = [...inputs];
  for (const s of steps) {
    const a = pool[s.a % pool.length]!;
    pool.push(s.kind === 'u' ? unary[s.op]!(a) : binary[s.op]!(a, pool[s.b % pool.length]!));
  }
  return [pool[pool.length - 1]!, like(sg.sum(pool[Math.floor(pool.length / 2)]!, ['A', 'B']), pool[0]!)];
}

/** |error| <= 1e-4 x the tensor's largest reference magnitude (at least 1e-2: a tensor that cancels to about zero is held to 1e-6 absolute). */
export function assertClose(backend: string, what: string, actual: Float64Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  // A reference NaN (l2Normalize of a column that is exactly zero, say) must be a NaN here too.
  const scale = Math.max(1e-2, ...Array.from(expected, Math.abs).filter((v) => !Number.isNaN(v)));
  actual.forEach((v, i) => {
    if (Number.isNaN(expected[i]!) && Number.isNaN(v)) return;
    const err = Math.abs(v - expected[i]!);
    if (!(err <= 1e-4 * scale)) throw new Error(`${backend} ${what}[${i}]: ${v} vs reference ${expected[i]} (scale ${scale})`);
  });
}

/**
 * Well-conditioned data: a permutation of n values spread evenly around 0 (no ties for max to split differently,
 * no nearly-constant rows for layerNorm), binary fractions exact in float32, so that exact ties (x = 0 in a select,
 * equal operands of maximum) are ties in float32 too.
 */
export const dataOf = (n: number) => {
  const scale = 2 ** Math.round(Math.log2(n / 3));
  return fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }).map((perm) => perm.map((k) => (k - (n - 1) / 2) / scale));
};
