import { strict as assert } from 'node:assert';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { simplifyIndices } from '../../../src/compile/wasm/simplify-index.js';
import { segmentsOf } from '../../../src/compile/wasm/segments.js';
import { exprKey, type Kernel } from '../../../src/compile/kernel-ir.js';

type X = Tensor<['R', 'C']>;
// Three pieces stacked along R, each an elementwise op of its own input: one kernel that pads and sums.
const p = sg.trace(
  (a: X, b: X, c: X) => sg.concat([sg.exp(a), sg.mul(b, 2), sg.tanh(c)], 'R'),
  sg.spec(['R', 'C'], [4, 8], 'a'),
  sg.spec(['R', 'C'], [8, 8], 'b'),
  sg.spec(['R', 'C'], [4, 8], 'c'),
);
const data = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));

const loads = (k: Kernel): number => (exprKey(k.result).match(/b\d+\[/g) ?? []).length + k.body.reduce((n, s) => n + (s.kind === 'let' ? (exprKey(s.value).match(/b\d+\[/g) ?? []).length : 0), 0);

describe('compile/wasm/segments', () => {
  it('cuts a stacked output where its pieces meet, and each segment reads only its piece', () => {
    const c = compileWasm(p, { threads: 1 });
    const kernel = c.kernels.find((k) => k.sizes[0] === 16)!;
    const cut = segmentsOf(simplifyIndices(kernel), [1, 4]);
    assert.deepEqual(cut, { axis: 0, segments: [{ start: 0, end: 4 }, { start: 4, end: 12 }, { start: 12, end: 16 }] });
    assert.ok(loads(simplifyIndices(kernel)) >= 3);
    for (const s of cut!.segments) assert.equal(loads(simplifyIndices(kernel, new Map([[0, [s.start, s.end - 1] as const]]))), 1, `segment ${s.start}-${s.end}`);
  });

  it('leaves a kernel whole when a cut would split a register tile', () => {
    const c = compileWasm(p, { threads: 1 });
    const kernel = c.kernels.find((k) => k.sizes[0] === 16)!;
    assert.equal(segmentsOf(simplifyIndices(kernel), [8, 4]), null);
  });

  it('computes what the reference computes, on 1 and 2 threads', () => {
    const args = [data(32, 0.3), data(64, 0.7), data(32, 1.1)] as const;
    const want = sg.run(p, ...args).data;
    for (const threads of [1, 2]) {
      const got = compileWasm(p, { threads, schedule: { splitMin: 0, syncCost: 0 } }).runSync(...args).data;
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-6 * Math.max(1, Math.abs(want[i]!)), `${threads} threads [${i}]: ${v} vs ${want[i]}`));
    }
  });
});
