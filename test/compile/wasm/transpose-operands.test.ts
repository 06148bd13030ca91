import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../../src/index.js';
import { compileWasm, type WasmCompileOptions, type WasmCompiledProgram } from '../../../src/compile/wasm/program.js';
import { tileOf } from '../../../src/compile/wasm/tiling.js';
import { close } from '../../support/dense-program.js';
import { depthwiseConv } from '../../../src/nn/xcit/lpi.js';
import { stridesOf } from '../../../src/runtime/ndarray.js';
import { coef } from '../../../src/compile/wasm/tiling.js';
import { walkExpr, walkStmts } from '../../../src/compile/ir-walk.js';
import type { Expr, Kernel } from '../../../src/compile/kernel-ir.js';
import { simplifyIndices } from '../../../src/compile/wasm/simplify-index.js';

/** gelu(x·wᵀ + b) over x [B, N, K], w [O, K] (a Linear layer's weight, PyTorch's layout), b [O], and x·w2ᵀ reading w again. */
function linear(b: number, n: number, k: number, o: number) {
  return sg.trace(
    (x, w, bias) => {
      const y = sg.einsum('B N K, O K -> B N O', x, w);
      const withBias = sg.add(y, sg.broadcast(bias, ['B', 'N', 'O'], { B: b, N: n, O: o }));
      return [sg.gelu(withBias), sg.einsum('B N K, O K -> B O N', x, w)];
    },
    sg.spec(['B', 'N', 'K'], [b, n, k], 'x'),
    sg.spec(['O', 'K'], [o, k], 'w'),
    sg.spec(['O'], [o], 'b'),
  );
}

const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37));
const arrayOf = (axes: string[], sizes: number[], seed: number): sg.NDArray => ({ axes, sizes, data: Float64Array.from(values(sizes.reduce((a, c) => a * c, 1), seed)) });

describe('compile/wasm: transposed copies of strided operands', () => {
  it('x·wᵀ reads a transposed copy of w, made once, and runs f32x4 along its output', () => {
    const c = compileWasm(linear(4, 6, 8, 12), { threads: 1 });
    const copies = c.kernels.filter((k) => k.ops.join() === 'transpose');
    assert.equal(copies.length, 1, 'one copy of w for the contraction whose output axis O is last');
    const copy = copies[0]!;
    assert.deepEqual(copy.sizes, [8, 12], 'w [O, K] copied as [K, O]');
    const reader = c.kernels.find((k) => k.inputs.includes(copy.output))!;
    assert.ok(c.kernels.indexOf(reader) > c.kernels.indexOf(copy), 'the copy runs before its reader');
    assert.equal(tileOf(reader, {}, c.buffers).vector, true);
    const without = compileWasm(linear(4, 6, 8, 12), { threads: 1, transposeOperands: false });
    assert.equal(without.kernels.filter((k) => k.ops.join() === 'transpose').length, 0);
    c.destroy();
    without.destroy();
  });

  it('copies nothing when the operand is as large as the output (an activation, not a weight)', () => {
    // w [O, K] with O·K = 64·16 larger than the output's 1·2·64.
    const c = compileWasm(linear(1, 2, 16, 64), { threads: 1 });
    assert.equal(c.kernels.filter((k) => k.ops.join() === 'transpose').length, 0);
    c.destroy();
  });

  it('gives the float64 reference values on one and two threads, and the same bits on both', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 100 }), (b, n, k, o4, seed) => {
        const o = 4 * o4;
        const program = linear(b, n, k, o);
        const args = [arrayOf(['B', 'N', 'K'], [b, n, k], seed), arrayOf(['O', 'K'], [o, k], seed + 1), arrayOf(['O'], [o], seed + 2)] as const;
        const want = sg.run(program, ...args);
        const one = compileWasm(program, { threads: 1 });
        const two = compileWasm(program, { threads: 2, schedule: { splitMin: 0, syncCost: 0 } });
        const got = one.runSync(...args);
        const got2 = two.runSync(...args);
        want.forEach((w, i) => {
          close(got[i]!.data, w.data);
          assert.ok(got[i]!.data.every((v, j) => Object.is(v, got2[i]!.data[j])), `output ${i}: two threads differ from one`);
        });
        one.destroy();
        two.destroy();
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the gradients of a Linear layer right (the backward pass reads w both ways)', () => {
    const [b, n, k, o] = [2, 5, 8, 16];
    const r = sg.fromArray(values(b * n * o, 9), ['B', 'N', 'O'], [b, n, o], { name: 'R' });
    const program = sg.trace(
      (x, w) => sg.grad(([x1, w1]: [typeof x, typeof w]) => sg.sum(sg.mul(sg.gelu(sg.einsum('B N K, O K -> B N O', x1, w1)), r)))([x, w]),
      sg.spec(['B', 'N', 'K'], [b, n, k], 'x'),
      sg.spec(['O', 'K'], [o, k], 'w'),
    );
    const args = [arrayOf(['B', 'N', 'K'], [b, n, k], 3), arrayOf(['O', 'K'], [o, k], 4)] as const;
    const c = compileWasm(program, { threads: 1 });
    assert.ok(c.kernels.some((kk) => kk.ops.join() === 'transpose'));
    const got = c.runSync(...args);
    sg.run(program, ...args).forEach((w, i) => close(got[i]!.data, w.data));
    c.destroy();
  });

  it("an f32x4 depthwise convolution reads its weight [C, 1, 3, 3] from a copy [1, 3, 3, C]: every load one v128 or one splat, the reference's values, and the same bits as without the copy", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 3, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 100 }), (b, side, c4, seed) => {
        // (side 3 or more: the weight's 9 C values are no more than the output's, as copies of weights require)
        const ch = 4 * c4;
        const program = sg.trace(
          (x, w, bias) => sg.gelu(depthwiseConv(x as never, { weight: w as never, bias: bias as never })),
          sg.spec(['B', 'H', 'W', 'C'], [b, side, side, ch], 'x'),
          sg.spec(["C'", 'C', 'KH', 'KW'], [ch, 1, 3, 3], 'w'),
          sg.spec(['C'], [ch], 'bias'),
        );
        const args = [arrayOf(['B', 'H', 'W', 'C'], [b, side, side, ch], seed), arrayOf(["C'", 'C', 'KH', 'KW'], [ch, 1, 3, 3], seed + 1), arrayOf(['C'], [ch], seed + 2)] as const;
        withAndWithout(program, { transposeGathers: false }, (c, without) => {
          const copy = c.kernels.find((k) => k.ops.join() === 'transpose');
          assert.ok(copy, 'a transposed copy of the weight');
          assert.deepEqual(copy.sizes, [1, 3, 3, ch]);
          const reader = c.kernels.find((k) => k.inputs.includes(copy.output))!;
          assert.equal(tileOf(reader, {}, c.buffers).vector, true);
          assert.deepEqual(gatheredLoads(reader, c.buffers), [], 'no load of the convolution gathers four lanes');
          assert.ok(gatheredLoads(without.kernels.find((k) => k.name === reader.name)!, without.buffers).length >= 9, 'without the copy, the nine taps gather');
          const got = c.runSync(...args);
          close(got.data, sg.run(program, ...args).data);
          assert.ok(got.data.every((v, i) => Object.is(v, without.runSync(...args).data[i])));
        });
      }),
      { numRuns: 15 },
    );
  });

  it("a weight's gradient xᵀ·dy reads x [B, T, C] from a copy [B, C, T], consecutive along the reduction; x already [C, K] is not copied; the same bits either way", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 100 }), (b, t, c, d16, seed) => {
        const d = 16 * d16;
        const program = sg.trace((x, dy) => sg.einsum('B T C, B T D -> C D', x, dy), sg.spec(['B', 'T', 'C'], [b, t, c], 'x'), sg.spec(['B', 'T', 'D'], [b, t, d], 'dy'));
        const args = [arrayOf(['B', 'T', 'C'], [b, t, c], seed), arrayOf(['B', 'T', 'D'], [b, t, d], seed + 1)] as const;
        withAndWithout(program, { transposeSplats: false }, (on, off) => {
          const copy = on.kernels.find((k) => k.ops.join() === 'transpose');
          assert.ok(copy, 'a copy of x');
          assert.deepEqual(copy.sizes, [b, c, t]);
          assert.equal(off.kernels.filter((k) => k.ops.join() === 'transpose').length, 0);
          const got = on.runSync(...args);
          close(got.data, sg.run(program, ...args).data);
          assert.ok(got.data.every((v, i) => Object.is(v, off.runSync(...args).data[i])));
        });
      }),
      { numRuns: 15 },
    );
    const contiguous = compileWasm(sg.trace((x, dy) => sg.einsum('C K, K D -> C D', x, dy), sg.spec(['C', 'K'], [4, 12], 'x'), sg.spec(['K', 'D'], [12, 32], 'dy')), { threads: 1 });
    assert.equal(contiguous.kernels.filter((k) => k.ops.join() === 'transpose').length, 0, 'x [C, K] already reads consecutively along K');
    contiguous.destroy();
  });
});

/** `f` on the program compiled on one thread with the default options and with `off`, both destroyed afterwards. */
function withAndWithout<A extends readonly unknown[], R>(program: sg.Program<A, R>, off: WasmCompileOptions, f: (on: WasmCompiledProgram<A, R>, off: WasmCompiledProgram<A, R>) => void): void {
  const a = compileWasm(program, { threads: 1 });
  const b = compileWasm(program, { threads: 1, ...off });
  try {
    f(a, b);
  } finally {
    a.destroy();
    b.destroy();
  }
}

/** Loads of an f32x4 kernel that move by neither 0 nor 1 element per lane (four scalar loads each). */
function gatheredLoads(kernel: Kernel, buffers: ReadonlyMap<number, { readonly sizes: readonly number[] }>): Expr[] {
  const k = simplifyIndices(kernel);
  const along = { kind: 'thread', id: k.sizes.length - 1 } as const;
  const found: Expr[] = [];
  const visitor = {
    expr: (e: Expr) => {
      if (e.kind !== 'load') return;
      const st = stridesOf(buffers.get(e.buffer)!.sizes);
      const coefs = e.index.map((i) => coef(i, along));
      const step = coefs.every((x) => x !== null) ? coefs.reduce<number>((s, x, d) => s + x! * st[d]!, 0) : null;
      if (step !== 0 && step !== 1) found.push(e);
    },
  };
  walkStmts(k.body, visitor);
  walkExpr(k.result, visitor);
  return found;
}
