/**
 * Workload (b): the tiny-XCiT training step (see xcit-model.ts for the model),
 * in shapegrad, TensorFlow.js and jax-js. Every implementation starts from the
 * same float32 parameters, images and labels; the check compares the loss of
 * the first step and the update (new - old) of every parameter.
 */
import * as sg from '../../src/index.js';
import type { Scalar as TfScalar, Tensor as TfTensor, Variable as TfVariable } from '@tensorflow/tfjs';
import { labelData, normalData, type HostArray, type ParamSet } from '../common.js';
import { referenceOracle, shapegradCompiled, type Candidate, type ShapegradBackend, type Oracle, type Output } from '../harness.js';
import type { JaxDevice, JaxPeer, TfBackend, TfPeer } from '../peers.js';
import type { PeerWorkload } from '../pytorch.js';
import { initXcit, patchPixels, tokens, xcitConfig, xcitProgram, type XcitParams } from './xcit-model.js';

export interface XcitData {
  readonly params: ParamSet<XcitParams>;
  readonly images: Float32Array;
  readonly labels: Float32Array;
  readonly program: ReturnType<typeof xcitProgram>;
}

export function xcitData(): XcitData {
  const params = initXcit(0);
  const { batch, image, classes } = xcitConfig;
  return { params, images: normalData(11, batch * image * image), labels: labelData(12, batch, classes), program: xcitProgram(params) };
}

/** Parameter updates (new - old) by path, in float64. */
function updates(leaves: readonly HostArray[], after: readonly ArrayLike<number>[]): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  leaves.forEach((l, i) => {
    const a = after[i]!;
    out[l.path] = Float64Array.from(l.data, (v, k) => a[k]! - v);
  });
  return out;
}

const isND = (x: unknown): x is sg.NDArray => typeof x === 'object' && x !== null && (x as sg.NDArray).data instanceof Float64Array;

type StepOut = { loss: sg.NDArray; params: unknown };

function shapegradOutput(d: XcitData) {
  return (out: StepOut): Output => ({
    loss: out.loss.data[0]!,
    tensors: updates(d.params.leaves, sg.flattenTree(out.params, isND).leaves.map((x) => x.data)),
    jointScale: true,
  });
}

export function shapegradXcit(d: XcitData, backend: ShapegradBackend): Candidate {
  return shapegradCompiled(
    d.program,
    backend,
    () => [d.params.values, d.images, d.labels],
    shapegradOutput(d) as never,
    // A training loop: the next step starts from the parameters this one returned.
    ((out: StepOut, args: readonly unknown[]) => [out.params, args[1], args[2]]) as never,
  );
}

export function xcitReferenceOracle(d: XcitData): { oracle: Oracle; ms: number } {
  return referenceOracle(d.program, [d.params.values, d.images, d.labels], shapegradOutput(d) as never);
}

/**
 * TensorFlow.js and Flax keep dense kernels as [in, out] (tf.layers.dense,
 * flax.linen.Dense), shapegrad and PyTorch as [out, in]: the peers get their
 * own layout, and their updates are transposed back for the check.
 */
const isDenseKernel = (l: HostArray) => l.shape.length === 2 && l.path.endsWith('.weight');

function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

/** A parameter in the peers' layout. */
function peerLayout(l: HostArray): { shape: number[]; data: Float32Array } {
  if (!isDenseKernel(l)) return { shape: [...l.shape], data: l.data };
  const [out, inp] = l.shape as [number, number];
  return { shape: [inp, out], data: transpose2d(l.data, out, inp) };
}

/** A parameter read back from a peer, in shapegrad's layout. */
function fromPeerLayout(l: HostArray, data: ArrayLike<number>): ArrayLike<number> {
  if (!isDenseKernel(l)) return data;
  const [out, inp] = l.shape as [number, number];
  return transpose2d(data, inp, out);
}

/** The parameter paths of block i (as flattenTree names them), for the peers. */
function blockPaths(i: number) {
  const a = `blocks[${i}][0]`;
  const m = `blocks[${i}][1]`;
  return {
    gamma1: `${a}.gamma`,
    norm1: { weight: `${a}.inner.norm.weight`, bias: `${a}.inner.norm.bias` },
    temperature: `${a}.inner.inner.temperature`,
    qkv: { weight: `${a}.inner.inner.qkv.weight`, bias: `${a}.inner.inner.qkv.bias` },
    proj: { weight: `${a}.inner.inner.proj.weight`, bias: `${a}.inner.inner.proj.bias` },
    gamma2: `${m}.gamma`,
    norm2: { weight: `${m}.inner.norm.weight`, bias: `${m}.inner.norm.bias` },
    fc1: { weight: `${m}.inner.inner.fc1.weight`, bias: `${m}.inner.inner.fc1.bias` },
    fc2: { weight: `${m}.inner.inner.fc2.weight`, bias: `${m}.inner.inner.fc2.bias` },
  };
}

// ---- TensorFlow.js --------------------------------------------------------

/**
 * The same step as a TensorFlow.js user writes it: tf.variable parameters, a
 * loss closure of tf ops (dense kernels [in, out] as tf.layers.dense keeps them,
 * tf.moments for LayerNorm, tf.erf for exact GELU, tf.losses.softmaxCrossEntropy),
 * and tf.train.sgd(lr).minimize. Variables stay on the backend; only the loss is read.
 */
export function tfXcit(d: XcitData, peer: TfPeer, backend: TfBackend, detail: string): Candidate {
  return {
    impl: 'tfjs',
    backend,
    detail,
    prepare: async () => {
      await peer.use(backend);
      const { tf } = peer;
      const { batch, image, patch, dim, heads, depth, classes, eps, learningRate } = xcitConfig;
      const hd = dim / heads;
      const vars = new Map<string, TfVariable>(
        d.params.leaves.map((l) => {
          const { shape, data } = peerLayout(l);
          return [l.path, tf.variable(tf.tensor(data, shape), true)];
        }),
      );
      const v = (path: string): TfVariable => {
        const t = vars.get(path);
        if (!t) throw new Error(`tfjs xcit: no parameter ${path}`);
        return t;
      };
      const x = tf.tensor(d.images, [batch, image, image]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(d.labels), 'int32'), classes));
      const linear = (h: TfTensor, w: string, b: string) => tf.add(tf.matMul(h, v(w)), v(b));
      const layerNorm = (h: TfTensor, w: string, b: string) => {
        const { mean, variance } = tf.moments(h, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, eps))), v(w)), v(b));
      };
      const gelu = (h: TfTensor) => tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
      const l2n = (h: TfTensor) => tf.div(h, tf.maximum(tf.sqrt(tf.sum(tf.square(h), -1, true)), 1e-12));
      const grid = image / patch;
      const loss = (): TfScalar => {
        // Patches: [B, 7, 4, 7, 4] -> [B, 7, 7, 4, 4] -> [B*49, 16].
        const patches = tf.reshape(tf.transpose(tf.reshape(x, [batch, grid, patch, grid, patch]), [0, 1, 3, 2, 4]), [batch * tokens, patchPixels]);
        let h = linear(patches, 'embed.weight', 'embed.bias');
        for (let i = 0; i < depth; i++) {
          const p = blockPaths(i);
          const qkv = linear(layerNorm(h, p.norm1.weight, p.norm1.bias), p.qkv.weight, p.qkv.bias);
          // q, k, v: [B*N, C] -> [B, N, h, d] -> [B, h, d, N]. (Splitting first keeps every transpose 4-D:
          // tfjs-wasm's 5-D transpose of PyTorch's reshape(B, N, 3, h, d).permute(2, 0, 3, 4, 1) takes ~30 ms here, the 4-D ones ~1 ms.)
          const [q, k, val] = tf.split(qkv, 3, -1).map((t) => tf.transpose(tf.reshape(t, [batch, tokens, heads, hd]), [0, 2, 3, 1])) as [TfTensor, TfTensor, TfTensor];
          const logits = tf.mul(tf.matMul(l2n(q), l2n(k), false, true), tf.reshape(v(p.temperature), [1, heads, 1, 1]));
          const attn = tf.softmax(logits, -1);
          const o = tf.reshape(tf.transpose(tf.matMul(attn, val), [0, 3, 1, 2]), [batch * tokens, dim]);
          h = tf.add(h, tf.mul(v(p.gamma1), linear(o, p.proj.weight, p.proj.bias)));
          const f = linear(gelu(linear(layerNorm(h, p.norm2.weight, p.norm2.bias), p.fc1.weight, p.fc1.bias)), p.fc2.weight, p.fc2.bias);
          h = tf.add(h, tf.mul(v(p.gamma2), f));
        }
        const pooled = tf.mean(tf.reshape(h, [batch, tokens, dim]), 1);
        const logitsOut = linear(pooled, 'head.weight', 'head.bias');
        return tf.losses.softmaxCrossEntropy(y, logitsOut) as TfScalar;
      };
      const optimizer = tf.train.sgd(learningRate);
      const varList = [...vars.values()];
      const step = async (): Promise<number> => {
        const l = optimizer.minimize(loss, true, varList)!;
        const value = (await l.data())[0]!;
        l.dispose();
        return value;
      };
      return {
        first: async () => {
          const value = await step();
          const after = await Promise.all(d.params.leaves.map(async (l) => fromPeerLayout(l, await v(l.path).data())));
          return { loss: value, tensors: updates(d.params.leaves, after), jointScale: true };
        },
        step: async () => void (await step()),
        dispose: () => {
          optimizer.dispose();
          tf.dispose([...varList, x, y]);
        },
      };
    },
  };
}

// ---- jax-js ---------------------------------------------------------------

/**
 * The same step in jax-js as a JAX user writes it: parameters in a pytree
 * (a record by path), the loss a pure function of (params, images, labels),
 * valueAndGrad and the SGD update inside one jit. References follow jax-js's
 * ownership rules: every array is consumed once, `.ref` where it is used again.
 */
export function jaxXcit(d: XcitData, peer: JaxPeer, detail: string, device: JaxDevice = 'wasm'): Candidate {
  return {
    impl: 'jax-js',
    backend: device,
    detail,
    prepare: async () => {
      // Arrays are made on the default device (the Node bench: wasm; the browser bench: wasm or webgpu).
      peer.jax.defaultDevice(device);
      const { numpy: np, nn, jit, valueAndGrad, tree, blockUntilReady } = peer.jax;
      type A = InstanceType<typeof np.Array>;
      type P = Record<string, A>;
      const { batch, image, patch, dim, heads, depth, classes, eps, learningRate } = xcitConfig;
      const hd = dim / heads;
      const grid = image / patch;
      const linear = (h: A, w: A, b: A) => np.matmul(h, w).add(b);
      const layerNorm = (h: A, w: A, b: A) => nn.standardize(h, -1, { epsilon: eps }).mul(w).add(b);
      const l2n = (h: A) => h.ref.div(np.maximum(np.sqrt(np.square(h).sum(-1, { keepdims: true })), 1e-12));
      const gelu = (h: A) => nn.gelu(h, { approximate: false });
      const lossFn = (p: P, x: A, labels: A): A => {
        const patches = x.reshape([batch, grid, patch, grid, patch]).transpose([0, 1, 3, 2, 4]).reshape([batch, tokens, patchPixels]);
        let h = linear(patches, p['embed.weight']!, p['embed.bias']!);
        for (let i = 0; i < depth; i++) {
          const q0 = blockPaths(i);
          const qkv = linear(layerNorm(h.ref, p[q0.norm1.weight]!, p[q0.norm1.bias]!), p[q0.qkv.weight]!, p[q0.qkv.bias]!);
          const [q, k, val] = np.unstack(qkv.reshape([batch, tokens, 3, heads, hd]).transpose([2, 0, 3, 4, 1]), 0) as [A, A, A];
          const logits = np.matmul(l2n(q), l2n(k).transpose([0, 1, 3, 2])).mul(p[q0.temperature]!.reshape([1, heads, 1, 1]));
          const attn = nn.softmax(logits, -1);
          const o = np.matmul(attn, val).transpose([0, 3, 1, 2]).reshape([batch, tokens, dim]);
          h = h.add(p[q0.gamma1]!.mul(linear(o, p[q0.proj.weight]!, p[q0.proj.bias]!)));
          const f = linear(gelu(linear(layerNorm(h.ref, p[q0.norm2.weight]!, p[q0.norm2.bias]!), p[q0.fc1.weight]!, p[q0.fc1.bias]!)), p[q0.fc2.weight]!, p[q0.fc2.bias]!);
          h = h.add(p[q0.gamma2]!.mul(f));
        }
        const logitsOut = linear(h.mean(1), p['head.weight']!, p['head.bias']!);
        const onehot = nn.oneHot(labels, classes);
        return nn.logSoftmax(logitsOut, -1).mul(onehot).sum(-1).mean().neg();
      };
      const step = jit((p: P, x: A, labels: A) => {
        // valueAndGrad consumes its arguments: tree.ref keeps the parameters for the update.
        const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), x, labels);
        const updated = tree.map((w: A, gw: A) => w.sub(gw.mul(learningRate)), p, g as P) as P;
        return [loss, updated] as [A, P];
      });
      const initial = (): P =>
        Object.fromEntries(
          d.params.leaves.map((l) => {
            const { shape, data } = peerLayout(l);
            return [l.path, np.array(data).reshape(shape)];
          }),
        );
      let params = initial();
      const x = np.array(d.images).reshape([batch, image, image]);
      const labels = np.array(Int32Array.from(d.labels), { dtype: np.int32 });
      const call = async (): Promise<number> => {
        const [loss, next] = step(params, x.ref, labels.ref);
        params = next;
        await blockUntilReady(params);
        return (await loss.data())[0]!;
      };
      return {
        first: async () => {
          const value = await call();
          const after = await Promise.all(d.params.leaves.map(async (l) => fromPeerLayout(l, (await params[l.path]!.ref.data()) as ArrayLike<number>)));
          return { loss: value, tensors: updates(d.params.leaves, after as ArrayLike<number>[]), jointScale: true };
        },
        step: async () => void (await call()),
        dispose: () => {
          tree.dispose(params);
          x.dispose();
          labels.dispose();
          step.dispose();
        },
      };
    },
  };
}

// ---- PyTorch --------------------------------------------------------------

/**
 * The same step in PyTorch (bench/pytorch/peer.py): the official XCA and Mlp
 * modules in pre-norm layer-scale blocks, F.cross_entropy and torch.optim.SGD.
 * PyTorch keeps Linear weights [out, in] as shapegrad does: no transposes.
 */
export function xcitPeer(d: XcitData): PeerWorkload {
  const tensors = Object.fromEntries(d.params.leaves.map((l) => [`params.${l.path}`, { shape: l.shape, data: l.data }]));
  const { batch, image } = xcitConfig;
  return {
    workload: 'xcit',
    job: { config: xcitConfig },
    tensors: { ...tensors, images: { shape: [batch, image, image], data: d.images }, labels: { shape: [batch], data: d.labels } },
    toOutput: (r) => {
      const after = d.params.leaves.map((l) => {
        const t = r.tensors[`params.${l.path}`];
        if (t === undefined) throw new Error(`pytorch peer: xcit returned no parameter ${l.path}`);
        return t;
      });
      return { loss: r.loss, tensors: updates(d.params.leaves, after), jointScale: true };
    },
  };
}
