import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile, printCompiled, availableBackends, backendAvailable, backendNames, type Backend, type CompileOptions, type GpujsBackend } from '../../src/compile/index.js';
import { bs, close, dense, ws, xs } from '../support/dense-program.js';

const backends: Backend[] = ['wasm', ...(['cpu', 'webasm', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b))];
/** Each backend's options; the native one on two threads with every kernel split, however small. */
const optionsOf = (backend: Backend): CompileOptions => (backend === 'wasm' ? { backend, wasm: { threads: 2, schedule: { splitMin: 0, syncCost: 0 } } } : { backend });


describe('compile', function () {
  this.timeout(120000);

  it('fuses a contraction with its bias and GELU epilogue into one kernel', () => {
    const c = compile(dense, { backend: 'cpu' });
    assert.equal(c.kernels.length, 1);
    assert.deepEqual([...c.kernels[0]!.ops].sort(), ['add', 'broadcast', 'einsum', 'erf', 'fill', 'mul']);
    const text = printCompiled(c);
    assert.match(text, /1 kernels, 3 host buffers/);
    assert.match(text, /kernel k0 -> b3 \[2, 3\] fuses /);
    assert.match(text, /for \(let l\d+ = 0; l\d+ < 4; l\d+\+\+\)/);
    c.destroy();
  });

  it('refuses a backend that is not available, naming it', () => {
    const missing = (['webgpu', 'webgl2', 'headlessgl'] as GpujsBackend[]).find((b) => !availableBackends().includes(b));
    if (missing === undefined) return;
    assert.throws(() => compile(dense, { backend: missing }), new RegExp(`backend ${missing} is not available`));
  });

  it('webgl2-native outside a browser: unavailable, and compile says why', () => {
    assert.equal(backendAvailable('webgl2-native'), false);
    assert.throws(() => compile(dense, { backend: 'webgl2-native' }), /backend webgl2-native is not available: no OffscreenCanvas here \(webgl2-native runs in a browser page or worker\)/);
    assert.ok(backendNames.includes('webgl2-native'));
  });

  for (const backend of backends) {
    describe(backend, () => {
      it('computes what the reference computes, and says which backend and executor ran', async () => {
        const c = compile(dense, optionsOf(backend));
        const out = await c.run(xs, ws, bs);
        close(out.data, sg.run(dense, xs, ws, bs).data);
        const info = c.lastRun()!;
        assert.equal(info.requested, backend);
        assert.equal(info.backend, backend);
        assert.equal(info.pipelineCalls, 1);
        assert.ok(['native-threads', 'generic', 'fused-sync', 'fused-threaded'].includes(info.executorKind), info.executorKind);
        c.destroy();
      });

      it('handles scalars, rank-4 tensors, host constants and outputs that are inputs', async () => {
        const k = sg.fromArray(Array.from({ length: 24 }, (_, i) => i / 10), ['A', 'B', 'C', 'D'], [1, 2, 3, 4], { name: 'k' });
        const p = sg.trace(
          (x: Tensor<['A', 'B', 'C', 'D']>, s: Tensor<[]>) => ({
            y: sg.mul(sg.add(x, k), sg.broadcast(s, ['A', 'B', 'C', 'D'], [1, 2, 3, 4])),
            total: sg.sum(sg.transpose(x, ['D', 'C', 'B', 'A'])),
            same: s,
            k,
          }),
          sg.spec(['A', 'B', 'C', 'D'], [1, 2, 3, 4], 'x'),
          sg.spec([], [], 's'),
        );
        const x = Array.from({ length: 24 }, (_, i) => Math.cos(i));
        const c = compile(p, optionsOf(backend));
        const got = await c.run(x, [2]);
        const want = sg.run(p, x, [2]);
        close(got.y.data, want.y.data);
        close(got.total.data, want.total.data);
        assert.deepEqual(Array.from(got.same.data), [2]);
        close(got.k.data, want.k.data);
        c.destroy();
      });

      it('runs a whole training step (forward, backward, SGD update) as one pipeline call', async () => {
        const sizes = { N: 8, F: 2, H: 5, K: 2 };
        const s = sg.bindSizes(sizes);
        type P = { w1: Tensor<['F', 'H']>; w2: Tensor<['H', 'K']> };
        const step = sg.trace(
          (p: P, x: Tensor<['N', 'F']>, y: Tensor<['N']>) => {
            const loss = (q: P) => sg.crossEntropy(sg.einsum('N H, H K -> N K', sg.tanh(sg.einsum('N F, F H -> N H', x, q.w1)), q.w2), y, 'K');
            const [value, g] = sg.valueAndGrad(loss)(p);
            return { loss: value, w1: sg.sub(p.w1, sg.mul(g.w1, 0.1)), w2: sg.sub(p.w2, sg.mul(g.w2, 0.1)) };
          },
          { w1: s(['F', 'H']), w2: s(['H', 'K']) },
          s(['N', 'F'], 'x'),
          s(['N'], 'y'),
        );
        const params = { w1: Array.from({ length: 10 }, (_, i) => Math.sin(i + 1)), w2: Array.from({ length: 10 }, (_, i) => Math.cos(i)) };
        const x = Array.from({ length: 16 }, (_, i) => Math.sin(3 * i));
        const y = [0, 1, 1, 0, 1, 0, 0, 1];
        const c = compile(step, optionsOf(backend));
        const got = await c.run(params, x, y);
        const want = sg.run(step, params, x, y);
        close(got.loss.data, want.loss.data);
        close(got.w1.data, want.w1.data);
        close(got.w2.data, want.w2.data);
        assert.equal(c.lastRun()!.pipelineCalls, 1);
        c.destroy();
      });
    });
  }
});
