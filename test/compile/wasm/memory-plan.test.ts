import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { alignedBytes, antiDependencies, planMemory } from '../../../src/compile/wasm/memory-plan.js';
import { lowerProgram } from '../../../src/compile/pipeline.js';
import type { BufferInfo, Kernel } from '../../../src/compile/kernel-ir.js';
import { build, dataOf, shape, stepArb, type T } from '../../support/random-programs.js';

const sizes = { A: 2, B: 4, C: 8 };
const n = sizes.A * sizes.B * sizes.C;

/** A random program's gradients (long-lived activations, many intermediates), traced. */
function gradientProgram(steps: Parameters<typeof build>[0]) {
  const r = sg.fromArray(Array.from({ length: n }, (_, i) => Math.cos(i)), [...shape], sizes, { name: 'R' });
  const loss = (xy: [T, T]) => sg.sum(sg.mul(build(steps, xy)[0]!, r));
  return sg.trace((x: T, y: T) => [loss([x, y]), sg.grad(loss)([x, y])], sg.spec([...shape], sizes, 'x'), sg.spec([...shape], sizes, 'y'));
}

/** [first kernel writing, last kernel reading] of each kernel output. */
function lifetimes(kernels: readonly Kernel[]): Map<number, [number, number]> {
  const life = new Map<number, [number, number]>();
  kernels.forEach((k, i) => life.set(k.output, [i, i]));
  kernels.forEach((k, i) => k.inputs.forEach((b) => life.has(b) && (life.get(b)![1] = i)));
  return life;
}

const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
const region = (offsets: ReadonlyMap<number, number>, info: BufferInfo): [number, number] => [offsets.get(info.id)!, offsets.get(info.id)! + alignedBytes(info)];

describe('compile/wasm: memory plan (intermediates share memory once dead)', () => {
  it('never overlaps two buffers alive at once, keeps inputs, constants and outputs apart, and orders each reuse after the earlier tenants\' users', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 6 }), (steps) => {
        const { graph, kernels, buffers, bufferIds } = lowerProgram(gradientProgram(steps).graph);
        const outputs = new Set(graph.outputs.map((o) => bufferIds.get(o)!));
        const infos = [...buffers.values()];
        const pinned = new Set(infos.filter((b) => b.source !== 'kernel' || outputs.has(b.id)).map((b) => b.id));
        const { offsets } = planMemory(kernels, buffers, pinned);
        const after = antiDependencies(kernels, buffers, offsets);
        const life = lifetimes(kernels);
        for (const p of pinned) for (const q of infos) if (q.id !== p) assert.ok(!overlap(region(offsets, buffers.get(p)!), region(offsets, q)), `pinned ${buffers.get(p)!.label} shares memory with ${q.label}`);
        const users = (b: number) => kernels.flatMap((k, i) => (k.output === b || k.inputs.includes(b) ? [i] : []));
        for (const a of infos.filter((b) => life.has(b.id)))
          for (const b of infos.filter((x) => life.has(x.id) && x.id !== a.id)) {
            if (!overlap(region(offsets, a), region(offsets, b))) continue;
            const [la, lb] = [life.get(a.id)!, life.get(b.id)!];
            assert.ok(la[1] < lb[0] || lb[1] < la[0], `${a.label} and ${b.label} share memory while both alive (${la} / ${lb})`);
            const [earlier, writer] = la[1] < lb[0] ? [a, lb[0]] : [b, la[0]];
            for (const u of users(earlier.id)) assert.ok(after[writer]!.includes(u), `kernel ${writer} reuses ${earlier.label}'s memory without waiting for kernel ${u}`);
          }
      }),
      { numRuns: 30 },
    );
  });

  it('gives the same bits with and without reuse, on one, two and three threads with every kernel split', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), dataOf(n), dataOf(n), async (steps, d1, d2) => {
        const program = gradientProgram(steps);
        const separate = compileWasm(program, { threads: 1, reuseMemory: false });
        const want = separate.runSync(d1, d2);
        separate.destroy();
        for (const threads of [1, 2, 3]) {
          const c = compileWasm(program, { threads, schedule: { splitMin: 0, syncCost: 0 } });
          for (let call = 0; call < 2; call++) {
            const got = await c.run(d1, d2);
            const flat = (v: unknown): Float64Array[] => sg.flattenTree(v, (x): x is sg.NDArray => typeof x === 'object' && x !== null && (x as sg.NDArray).data instanceof Float64Array).leaves.map((l) => l.data);
            const [g, w] = [flat(got), flat(want)];
            g.forEach((x, i) => assert.ok(x.every((v, j) => Object.is(v, w[i]![j])), `${threads} threads, call ${call + 1}: output ${i} differs`));
          }
          c.destroy();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('needs far less memory for a training step than one region per buffer', () => {
    const program = gradientProgram([{ kind: 'u', op: 1, a: 0 }, { kind: 'u', op: 11, a: 2 }, { kind: 'b', op: 1, a: 3, b: 1 }, { kind: 'u', op: 4, a: 4 }]);
    const end = (c: ReturnType<typeof compileWasm>) => Math.max(...[...c.buffers.values()].map((b) => region(c.offsets, b)[1]));
    const shared = compileWasm(program, { threads: 1 });
    const separate = compileWasm(program, { threads: 1, reuseMemory: false });
    assert.ok(end(shared) < 0.75 * end(separate), `${end(shared)} bytes with reuse against ${end(separate)} without`);
    shared.destroy();
    separate.destroy();
  });
});
