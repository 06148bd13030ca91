import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { assertClose, build, dataOf, shape, stepArb, type T } from '../support/random-programs.js';
import { compile } from '../../src/compile/compile.js';
import type { Kernel, Stmt } from '../../src/compile/kernel-ir.js';
import type { KernelLimits } from '../../src/compile/limit-kernels.js';

const sizes = { A: 2, B: 3, C: 4 };
const dataArb = dataOf(24);
const runs = Number(process.env['SHAPEGRAD_COMPILE_RUNS'] ?? 25);

const loopsOf = (stmts: readonly Stmt[]): number => stmts.reduce((n, s) => n + (s.kind === 'reduce' ? 1 + loopsOf(s.body) : 0), 0);
const readsOf = (k: Kernel): number => new Set(k.inputs).size;

const specs = (['x', 'y', 'z', 'w'] as const).map((n) => sg.spec([...shape], sizes, n));

/** Four inputs, each step's output summed over an axis and fused back in, so kernels read many buffers and run many loops. */
const combine = (steps: Parameters<typeof build>[0], xs: readonly T[]): T => {
  const [out, reduced] = build(steps, xs);
  const rowSums = sg.broadcast(sg.sum(sg.exp(out!), ['B']) as never, [...shape] as never, out!.sizes as never) as unknown as T;
  // Reductions read at their own index fuse into one kernel as several loops.
  const sums = [out!, sg.mul(xs[0]!, xs[1]!), sg.exp(xs[2]!), sg.maximum(xs[3]!, out!)].map((t) => sg.sum(t, ['B']));
  const columns = sums.reduce((a, b) => sg.add(a, b));
  const back = sg.broadcast(columns as never, [...shape] as never, out!.sizes as never) as unknown as T;
  return sg.add(sg.add(sg.add(out!, reduced!), sg.mul(rowSums, back)), sg.add(sg.mul(xs[0]!, xs[1]!), sg.mul(xs[2]!, xs[3]!)));
};
const valuesProgram = (steps: Parameters<typeof build>[0]) => sg.trace((x: T, y: T, z: T, w: T) => combine(steps, [x, y, z, w]), ...specs);
const gradientProgram = (steps: Parameters<typeof build>[0]) => {
  const r = sg.fromArray(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [...shape], sizes, { name: 'R' });
  const loss = (xs: [T, T, T, T]) => sg.sum(sg.mul(combine(steps, xs), r));
  return sg.trace((x: T, y: T, z: T, w: T) => sg.grad(loss)([x, y, z, w]), ...specs);
};

describe('compile: kernel limits (what one fused kernel may read and loop)', function () {
  this.timeout(600000);

  for (const limits of [{ maxReads: 2 }, { maxLoops: 1 }, { maxReads: 3, maxLoops: 2 }] as KernelLimits[]) {
    it(`random programs compiled on cpu under ${JSON.stringify(limits)}: every kernel keeps within them, and values and gradients agree with the float64 reference`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 8 }), fc.array(dataArb, { minLength: 4, maxLength: 4 }), fc.boolean(), async (steps, data, gradients) => {
          const traced = (gradients ? gradientProgram(steps) : valuesProgram(steps)) as sg.Program<readonly unknown[], unknown>;
          const compiled = compile(traced, { backend: 'cpu', kernelLimits: limits });
          try {
            for (const k of compiled.kernels) {
              assert.ok(readsOf(k) <= (limits.maxReads ?? Infinity), `${k.name} (${k.ops.join(' ')}) reads ${readsOf(k)} buffers`);
              assert.ok(loopsOf(k.body) <= (limits.maxLoops ?? Infinity), `${k.name} (${k.ops.join(' ')}) runs ${loopsOf(k.body)} loops`);
            }
            const got = [await compiled.run(...(data as never[]))].flat() as sg.NDArray[];
            const want = [sg.run(traced, ...(data as never[]))].flat() as sg.NDArray[];
            want.forEach((w, i) => assertClose('cpu', `output ${i}`, got[i]!.data, w.data));
          } finally {
            compiled.destroy();
          }
        }),
        { numRuns: runs },
      );
    });
  }
});
