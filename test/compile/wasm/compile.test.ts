import { strict as assert } from 'node:assert';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm, compileWasmAsync } from '../../../src/compile/wasm/program.js';
import { renderKernelWasm } from '../../../src/compile/wasm/render.js';
import { importedFuncs, mathImports } from '../../../src/compile/wasm/math-imports.js';
import { encodeModule, sleb, uleb } from '../../../src/compile/wasm/encode.js';
import type { BufferInfo, Kernel } from '../../../src/compile/kernel-ir.js';
import { bs, close, dense, ws, xs } from '../../support/dense-program.js';


describe('compile/wasm: encoding', () => {
  it('writes LEB128 as the specification gives it', () => {
    assert.deepEqual(uleb(0), [0]);
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
    assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
    assert.deepEqual(sleb(63), [0x3f]);
    assert.deepEqual(sleb(64), [0xc0, 0x00]);
    assert.deepEqual(sleb(-64), [0x40]);
    assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
  });
});

/** Runs one hand-written kernel over small buffers (for index kinds the ops rarely produce). */
function runKernel(kernel: Kernel, buffers: BufferInfo[], data: Map<number, number[]>): Float32Array {
  const offsets = new Map<number, number>();
  let end = 0;
  for (const b of buffers) {
    offsets.set(b.id, end);
    end += 16 * Math.ceil((b.sizes.reduce((a, c) => a * c, 1) * 4) / 16);
  }
  const table = new Map(buffers.map((b) => [b.id, b]));
  const bytes = encodeModule({ imports: importedFuncs, memory: { min: 1 }, funcs: [renderKernelWasm(kernel, table, offsets)] });
  const W = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer }; Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, () => void> } } }).WebAssembly;
  const memory = new W.Memory({ initial: 1 });
  const math = Object.fromEntries(Object.entries(mathImports).map(([k, v]) => [k, v.fn]));
  const inst = new W.Instance(new W.Module(bytes), { math, env: { memory } });
  const heap = new Float32Array(memory.buffer);
  for (const [id, values] of data) heap.set(values, offsets.get(id)! / 4);
  (inst.exports[kernel.name] as unknown as (s: number, e: number) => void)(0, kernel.sizes[0] ?? 1);
  const out = table.get(kernel.output)!;
  return heap.slice(offsets.get(kernel.output)! / 4, offsets.get(kernel.output)! / 4 + out.sizes.reduce((a, c) => a * c, 1));
}

describe('compile/wasm: index arithmetic', () => {
  it('floors divisions of negative indices, keeps JavaScript remainders, clamps and gathers', () => {
    const t = { kind: 'thread', axis: 0 } as const;
    const shifted = { kind: 'iadd', a: t, b: { kind: 'int', value: -5 } } as const; // -5..4
    const buffers: BufferInfo[] = [
      { id: 0, sizes: [10], source: 'input', label: 'x' },
      { id: 1, sizes: [10, 5], source: 'kernel', label: 'k0' },
    ];
    const kernel: Kernel = {
      name: 'k0',
      output: 1,
      sizes: [10, 5],
      inputs: [0],
      ops: [],
      body: [],
      result: {
        kind: 'select',
        cond: { kind: 'compare', op: 'eq', a: { kind: 'thread', axis: 1 }, b: { kind: 'int', value: 0 } },
        a: { kind: 'index', index: { kind: 'idiv', a: shifted, b: { kind: 'int', value: 3 } } },
        b: {
          kind: 'select',
          cond: { kind: 'compare', op: 'eq', a: { kind: 'thread', axis: 1 }, b: { kind: 'int', value: 1 } },
          a: { kind: 'index', index: { kind: 'imod', a: shifted, b: { kind: 'int', value: 3 } } },
          b: {
            kind: 'select',
            cond: { kind: 'compare', op: 'eq', a: { kind: 'thread', axis: 1 }, b: { kind: 'int', value: 2 } },
            a: { kind: 'index', index: { kind: 'clamp', x: shifted, lo: -2, hi: 2 } },
            b: {
              kind: 'select',
              cond: { kind: 'compare', op: 'eq', a: { kind: 'thread', axis: 1 }, b: { kind: 'int', value: 3 } },
              a: { kind: 'index', index: { kind: 'idiv', a: shifted, b: { kind: 'int', value: 4 } } },
              // x[floor(x[t])]: a gather through a loaded index
              b: { kind: 'load', buffer: 0, index: [{ kind: 'fromValue', value: { kind: 'load', buffer: 0, index: [t] } }] },
            },
          },
        },
      },
    };
    const x = [3.5, 0, 9.2, 1, 7.9, 2, 2, 5, 4, 8];
    const got = runKernel(kernel, buffers, new Map([[0, x]]));
    for (let i = 0; i < 10; i++) {
      const s = i - 5;
      assert.deepEqual(Array.from(got.slice(i * 5, i * 5 + 5)), [Math.floor(s / 3), (s % 3) + 0, Math.min(2, Math.max(-2, s)), Math.floor(s / 4), Math.fround(x[Math.floor(x[i]!)]!)], `row ${i}`);
    }
  });
});

describe('compile/wasm', function () {
  this.timeout(120000);

  it('computes what the reference computes, and says which backend and executor ran', async () => {
    const c = compileWasm(dense, { threads: 1 });
    assert.equal(c.kernels.length, 1);
    const out = await c.run(xs, ws, bs);
    close(out.data, sg.run(dense, xs, ws, bs).data);
    const info = c.lastRun()!;
    assert.equal(info.backend, 'wasm');
    assert.equal(info.executorKind, 'native-sync');
    assert.equal(info.pipelineCalls, 1);
    close(c.runSync(xs, ws, bs).data, sg.run(dense, xs, ws, bs).data);
  });

  it('compiles asynchronously too (browsers refuse synchronous compilation of large modules)', async () => {
    const c = await compileWasmAsync(dense);
    close((await c.run(xs, ws, bs)).data, sg.run(dense, xs, ws, bs).data);
    assert.equal(c.lastRun()!.backend, 'wasm');
  });

  it('cuts a long reduction into chunks by default (a weight gradient over 3,136 rows), with the unsplit values; splitReductions false keeps it whole', () => {
    const p = sg.trace(
      (x: Tensor<['B', 'T', 'I']>, dy: Tensor<['B', 'T', 'J']>) => sg.einsum('B T I, B T J -> I J', x, dy),
      sg.spec(['B', 'T', 'I'], [64, 49, 4], 'x'),
      sg.spec(['B', 'T', 'J'], [64, 49, 8], 'dy'),
    );
    const x = Array.from({ length: 64 * 49 * 4 }, (_, i) => Math.sin(i * 0.37));
    const dy = Array.from({ length: 64 * 49 * 8 }, (_, i) => Math.cos(i * 0.11));
    const want = sg.run(p, x, dy).data;
    const split = compileWasm(p, { threads: 1 });
    const whole = compileWasm(p, { threads: 1, splitReductions: false });
    const partial = split.kernels.find((k) => k.ops.includes('einsum'))!;
    assert.deepEqual(partial.sizes, [8, 4, 8], 'eight chunks of 392 rows, chunks first');
    assert.ok(whole.kernels.some((k) => k.ops.includes('einsum') && k.sizes.join() === '4,8'));
    close(split.runSync(x, dy).data, want);
    close(whole.runSync(x, dy).data, want);
    for (const bad of [0, -1, 2.5, Number.NaN]) assert.throws(() => compileWasm(p, { splitReductions: bad }), /splitReductions must be a positive integer or false; got/);
    split.destroy();
    whole.destroy();
  });

  // Scalars, rank-4 tensors, host constants and a training step: test/compile/compile.test.ts runs them on 'wasm' too.

  it('gathers, reshapes and convolves, with gradients', async () => {
    type X = Tensor<['C', 'H', 'W']>;
    const p = sg.trace(
      (x: X, w: Tensor<['D', 'C', 'KH', 'KW']>, idx: Tensor<['N']>) => {
        const loss = (xw: [X, Tensor<['D', 'C', 'KH', 'KW']>]) => {
          const y = sg.tanh(sg.conv2d(xw[0], xw[1], { padding: 1, stride: 2 }));
          const flat = sg.reshape(y, ['F'], [y.sizes.reduce((a, b) => a * b, 1)]);
          return sg.sum(sg.mul(sg.gather(flat, 'F', idx), sg.gather(flat, 'F', idx)));
        };
        return sg.valueAndGrad(loss)([x, w]);
      },
      sg.spec(['C', 'H', 'W'], [2, 5, 5], 'x'),
      sg.spec(['D', 'C', 'KH', 'KW'], [3, 2, 3, 3], 'w'),
      sg.spec(['N'], [4], 'idx'),
    );
    const x = Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.7));
    const w = Array.from({ length: 54 }, (_, i) => Math.cos(i * 1.3) * 0.5);
    const idx = [0, 5, 17, 5];
    const c = compileWasm(p);
    const got = await c.run(x, w, idx);
    const want = sg.run(p, x, w, idx);
    close(got[0].data, want[0].data);
    close(got[1][0].data, want[1][0].data);
    close(got[1][1].data, want[1][1].data);
  });
});

describe('compile/wasm: every f32x4 path agrees with the reference and with scalar code', function () {
  this.timeout(120000);
  type X = Tensor<['R', 'C']>;
  const p = sg.trace(
    (x: X, y: Tensor<['C', 'R']>) => {
      const xt = sg.transpose(y, ['R', 'C']) as unknown as X; // a transposed read: four scalar loads per vector
      const i = sg.iota('C', ['R', 'C'], { R: 8, C: 8 }) as X;
      const j = sg.iota('R', ['R', 'C'], { R: 8, C: 8 }) as X;
      return {
        transposed: sg.add(x, xt),
        math: sg.add(sg.add(sg.exp(x), sg.log(sg.add(sg.abs(x), 1))), sg.add(sg.sin(x), sg.cos(xt))),
        more: sg.add(sg.add(sg.sign(x), sg.floor(sg.mul(x, 3))), sg.add(sg.erf(x), sg.tanh(xt))),
        pow: sg.add(sg.pow(sg.add(sg.abs(x), 0.5), xt), sg.reciprocal(sg.add(sg.abs(xt), 1))),
        compare: sg.add(sg.add(sg.less(x, xt), sg.greater(x, 0)), sg.add(sg.equal(sg.floor(x), sg.floor(xt)), sg.select(sg.less(x, xt), sg.minimum(x, xt), sg.sqrt(sg.abs(x))))),
        iota: sg.add(sg.mul(i, 10), j),
        rowMax: sg.max(sg.mul(x, xt), 'C'),
        neg: sg.neg(sg.maximum(x, xt)),
        // A contraction tiled 4 x 8 with a reduction whose operand is transposed.
        gram: sg.einsum('R C, S C -> R S', sg.tanh(x), sg.rename(xt, { R: 'S' })),
        // Index remaps along the vectorised axis: reshape (div/mod), pad (clamp and compare), gather (index from data).
        reshaped: sg.reshape(sg.mul(sg.reshape(x, ['F'], [64]), 2), ['R', 'C'], [16, 4]),
        padded: sg.pad(sg.slice(x, 'C', 1, 7), 'C', 2, 0),
        gathered: sg.gather(x, 'C', sg.floor(sg.mul(sg.abs(sg.reshape(sg.slice(y, 'R', 0, 1), ['G'], [8])), 3)) as never),
        diag: sg.einsum('R C, C S -> R S', sg.mul(x, sg.less(j, i)), sg.rename(sg.transpose(x, ['C', 'R']), { R: 'S' })),
        // Lanes read at [t / 4, t % 4] of a buffer whose rows are 8 apart (a patch embedding's gradient reads its image so): one v128.load per vector.
        quads: sg.mul(sg.reshape(sg.slice(sg.reshape(x, ['P', 'Q', 'C'], [4, 2, 8]), 'C', 0, 4), ['P', 'T'], [4, 8]), 3),
      };
    },
    sg.spec(['R', 'C'], [8, 8], 'x'),
    sg.spec(['C', 'R'], [8, 8], 'y'),
  );
  const x = Array.from({ length: 64 }, (_, k) => Math.sin(k * 1.7) * 1.5);
  const y = Array.from({ length: 64 }, (_, k) => Math.cos(k * 0.9) * 1.2);
  const want = sg.run(p, x, y) as unknown as Record<string, { data: Float64Array }>;
  for (const simd of [true, false]) {
    it(simd ? 'f32x4' : 'scalar', async () => {
      const c = compileWasm(p, { simd });
      const got = (await c.run(x, y)) as unknown as Record<string, { data: Float64Array }>;
      for (const key of Object.keys(want)) close(got[key]!.data, want[key]!.data);
    });
  }
});

for (const fma of [true, false]) {
  describe(`compile/wasm: f32x4 polynomials for exp, tanh and erf (${fma ? 'fused multiply-adds' : 'a multiply and an add'})`, () => {
    const n = 4096;
    const run = (f: (x: Tensor<['N']>) => Tensor<['N']>, lo: number, hi: number) => {
      const xs = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
      const p = sg.trace(f, sg.spec(['N'], [n], 'x'));
      return { xs, got: compileWasm(p, { fma }).runSync(xs).data };
    };
    it('exp: relative error below 1e-6 over [-87, 88]', () => {
      const { xs, got } = run((x) => sg.exp(x), -87, 88);
      xs.forEach((x, i) => assert.ok(Math.abs(got[i]! - Math.exp(x)) <= 1e-6 * Math.exp(x), `exp(${x}) = ${got[i]} vs ${Math.exp(x)}`));
    });
    it('tanh and erf: absolute error below 1e-6 over [-12, 12]', () => {
      const t = run((x) => sg.tanh(x), -12, 12);
      t.xs.forEach((x, i) => assert.ok(Math.abs(t.got[i]! - Math.tanh(x)) <= 1e-6, `tanh(${x}) = ${t.got[i]} vs ${Math.tanh(x)}`));
      const e = run((x) => sg.erf(x), -12, 12);
      // Against the float64 reference (exact to float64; the kernels' rational function is within 1.5e-8 of it before float32 rounding).
      const want = sg.run(sg.trace((x: Tensor<['N']>) => sg.erf(x), sg.spec(['N'], [n], 'x')), e.xs).data;
      e.xs.forEach((x, i) => assert.ok(Math.abs(e.got[i]! - want[i]!) <= 1e-6, `erf(${x}) = ${e.got[i]} vs ${want[i]}`));
    });
  });
}
