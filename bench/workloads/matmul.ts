/** Workload (a): one n x n float32 matrix product, result read back to the host. */
import * as sg from '../../src/index.js';
import { normalData } from '../common.js';
import { shapegradCompiled, shapegradReference, type Candidate, type ShapegradBackend, type Output } from '../harness.js';
import type { JaxDevice, JaxPeer, TfBackend, TfPeer } from '../peers.js';
import type { PeerWorkload } from '../pytorch.js';

export function matmulProgram(n: number) {
  return sg.trace((a, b) => sg.einsum('I K, K J -> I J', a, b), sg.spec(['I', 'K'], [n, n], 'a'), sg.spec(['K', 'J'], [n, n], 'b'));
}

export interface MatmulData {
  readonly n: number;
  readonly a: Float32Array;
  readonly b: Float32Array;
}

export function matmulData(n: number): MatmulData {
  return { n, a: normalData(100 + n, n * n), b: normalData(200 + n, n * n) };
}

/** The "loss" of a matmul: the mean square of the product's entries (a well-conditioned scalar); the product itself is compared whole. */
function output(c: ArrayLike<number>): Output {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i]! * c[i]!;
  return { loss: s / c.length, tensors: { c } };
}

export function shapegradMatmul(d: MatmulData, backend: ShapegradBackend | 'reference'): Candidate {
  const program = matmulProgram(d.n);
  const args = () => [d.a, d.b] as const;
  const toOutput = (out: sg.NDArray) => output(out.data);
  if (backend === 'reference') return shapegradReference(program, args, toOutput as never, { repeats: 3, minRepeats: 1, budgetMs: 3000, warmup: 0 });
  return shapegradCompiled(program, backend, args, toOutput as never);
}

export function tfMatmul(d: MatmulData, peer: TfPeer, backend: TfBackend, detail: string): Candidate {
  return {
    impl: 'tfjs',
    backend,
    detail,
    prepare: async () => {
      await peer.use(backend);
      const { tf } = peer;
      const a = tf.tensor2d(d.a, [d.n, d.n]);
      const b = tf.tensor2d(d.b, [d.n, d.n]);
      const call = async () => {
        const c = tf.matMul(a, b);
        const data = await c.data();
        c.dispose();
        return data;
      };
      return {
        first: async () => output(await call()),
        step: async () => void (await call()),
        dispose: () => tf.dispose([a, b]),
      };
    },
  };
}

export function jaxMatmul(d: MatmulData, peer: JaxPeer, detail: string, device: JaxDevice = 'wasm'): Candidate {
  return {
    impl: 'jax-js',
    backend: device,
    detail,
    prepare: async () => {
      // Arrays are made on the default device (the Node bench: wasm; the browser bench: wasm or webgpu).
      peer.jax.defaultDevice(device);
      const { numpy: np, jit } = peer.jax;
      const a = np.array(d.a).reshape([d.n, d.n]);
      const b = np.array(d.b).reshape([d.n, d.n]);
      const mm = jit((x: InstanceType<typeof np.Array>, y: InstanceType<typeof np.Array>) => np.matmul(x, y));
      // data() consumes the result; a.ref and b.ref keep the operands alive across calls.
      const call = async () => (await mm(a.ref, b.ref).data()) as Float32Array;
      return {
        first: async () => output(await call()),
        step: async () => void (await call()),
        dispose: () => {
          a.dispose();
          b.dispose();
          mm.dispose();
        },
      };
    },
  };
}

/** The PyTorch peer's matmul: torch.mm of the same float32 operands, the product read back as a NumPy view. */
export function matmulPeer(d: MatmulData): PeerWorkload {
  return {
    workload: 'matmul',
    job: {},
    tensors: { a: { shape: [d.n, d.n], data: d.a }, b: { shape: [d.n, d.n], data: d.b } },
    toOutput: (r) => {
      const c = r.tensors['c'];
      if (c === undefined || c.length !== d.n * d.n) throw new Error(`pytorch peer: matmul ${d.n} returned ${c?.length ?? 'no'} values, expected ${d.n * d.n}`);
      return output(c);
    },
  };
}
