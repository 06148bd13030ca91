/**
 * Workload (c): DINO loss plus 3-iteration Sinkhorn (SwAV swapped prediction),
 * forward and backward (see dino-model.ts), in shapegrad, TensorFlow.js and
 * jax-js. Every implementation returns, on the host, the loss, the gradient
 * with respect to the student outputs [1536, 4096] and the new center; the
 * check compares all three.
 */
import * as sg from '../../src/index.js';
import type { Scalar as TfScalar, Tensor as TfTensor } from '@tensorflow/tfjs';
import { uniformData } from '../common.js';
import { referenceOracle, shapegradCompiled, type Candidate, type ShapegradBackend, type Oracle, type Output } from '../harness.js';
import type { JaxDevice, JaxPeer, TfBackend, TfPeer } from '../peers.js';
import { dinoConfig, dinoProgram, studentRows, studentViews, teacherRows } from './dino-model.js';

export interface DinoData {
  readonly student: Float32Array;
  readonly teacher: Float32Array;
  readonly center: Float32Array;
  readonly program: ReturnType<typeof dinoProgram>;
}

/**
 * Outputs of projection heads after L2 normalisation are cosines: uniform in
 * [-1, 1] keeps exp(score / 0.05) of the Sinkhorn (which, like SwAV, does not
 * subtract the maximum) well inside float32.
 */
export function dinoData(): DinoData {
  const k = dinoConfig.prototypes;
  return {
    student: uniformData(21, studentRows * k, -1, 1),
    teacher: uniformData(22, teacherRows * k, -1, 1),
    center: uniformData(23, k, -0.05, 0.05),
    program: dinoProgram(),
  };
}

type DinoOut = { loss: sg.NDArray; grad: sg.NDArray; center: sg.NDArray };
const shapegradOutput = (out: DinoOut): Output => ({ loss: out.loss.data[0]!, tensors: { grad: out.grad.data, center: out.center.data } });

export function shapegradDino(d: DinoData, backend: ShapegradBackend): Candidate {
  return shapegradCompiled(d.program, backend, () => [d.student, d.teacher, d.center], shapegradOutput as never);
}

export function dinoReferenceOracle(d: DinoData): { oracle: Oracle; ms: number } {
  return referenceOracle(d.program, [d.student, d.teacher, d.center], shapegradOutput as never);
}

const { batch, prototypes, globalCrops, teacherTemp, studentTemp, centerMomentum, epsilon, sinkhornIterations } = dinoConfig;
const pairs: [number, number][] = [];
for (let t = 0; t < globalCrops; t++) for (let v = 0; v < studentViews; v++) if (v !== t) pairs.push([t, v]);

// ---- TensorFlow.js --------------------------------------------------------

/**
 * DINOLoss and SwAV's distributed_sinkhorn in tf ops. The teacher
 * distributions and the Sinkhorn codes are constants of the loss (computed
 * outside tf.valueAndGrad, which is how a TensorFlow.js user keeps them
 * without gradient); the loss closure takes the student outputs.
 */
export function tfDino(d: DinoData, peer: TfPeer, backend: TfBackend, detail: string): Candidate {
  return {
    impl: 'tfjs',
    backend,
    detail,
    prepare: async () => {
      await peer.use(backend);
      const { tf } = peer;
      const student = tf.tensor2d(d.student, [studentRows, prototypes]);
      const teacher = tf.tensor2d(d.teacher, [teacherRows, prototypes]);
      const center = tf.tensor1d(d.center);
      const sinkhorn = (scores: TfTensor): TfTensor =>
        tf.tidy(() => {
          let q = tf.exp(tf.div(scores, epsilon)); // [B, K]
          q = tf.div(q, tf.sum(q));
          for (let it = 0; it < sinkhornIterations; it++) {
            q = tf.div(tf.div(q, tf.sum(q, 0, true)), prototypes);
            q = tf.div(tf.div(q, tf.sum(q, 1, true)), batch);
          }
          return tf.mul(q, batch);
        });
      // The loss of the student outputs, given the teacher distributions and the codes (constants: no gradient flows into them).
      const lossOf = (teacherProbs: TfTensor[], codes: TfTensor[]) =>
        tf.valueAndGrad((s: TfTensor) => {
          const logp = tf.split(tf.div(s, studentTemp), studentViews, 0).map((v) => tf.logSoftmax(v, -1));
          let dino: TfTensor = tf.scalar(0);
          let swav: TfTensor = tf.scalar(0);
          for (const [t, v] of pairs) {
            dino = tf.add(dino, tf.mean(tf.sum(tf.mul(tf.neg(teacherProbs[t]!), logp[v]!), -1)));
            swav = tf.add(swav, tf.mean(tf.sum(tf.mul(tf.neg(codes[t]!), logp[v]!), -1)));
          }
          return tf.add(tf.div(dino, pairs.length), tf.div(swav, pairs.length)) as TfScalar;
        });
      const call = async () => {
        const teacherProbs = tf.tidy(() => tf.split(tf.softmax(tf.div(tf.sub(teacher, center), teacherTemp), -1), globalCrops, 0));
        const codes = tf.tidy(() => tf.split(tf.slice(student, 0, globalCrops * batch), globalCrops, 0).map(sinkhorn));
        const { value, grad } = lossOf(teacherProbs, codes)(student);
        const newCenter = tf.tidy(() => tf.add(tf.mul(center, centerMomentum), tf.mul(tf.mean(teacher, 0), 1 - centerMomentum)));
        const [l, g, c] = await Promise.all([value.data(), grad.data(), newCenter.data()]);
        tf.dispose([value, grad, newCenter, ...teacherProbs, ...codes]);
        return { loss: l[0]!, tensors: { grad: g, center: c } };
      };
      return { first: call, step: async () => void (await call()), dispose: () => tf.dispose([student, teacher, center]) };
    },
  };
}

// ---- jax-js ---------------------------------------------------------------

/**
 * The same in jax-js: one jit of (student, teacher, center) -> (loss, grad,
 * new center); teacher probabilities and Sinkhorn codes go through
 * lax.stopGradient, valueAndGrad differentiates with respect to the student.
 */
export function jaxDino(d: DinoData, peer: JaxPeer, detail: string, device: JaxDevice = 'wasm'): Candidate {
  return {
    impl: 'jax-js',
    backend: device,
    detail,
    prepare: async () => {
      // Arrays are made on the default device (the Node bench: wasm; the browser bench: wasm or webgpu).
      peer.jax.defaultDevice(device);
      const { numpy: np, nn, lax, jit, valueAndGrad, tree } = peer.jax;
      type A = InstanceType<typeof np.Array>;
      const sinkhorn = (scores: A): A => {
        let q = np.exp(scores.div(epsilon));
        q = q.ref.div(q.sum());
        for (let it = 0; it < sinkhornIterations; it++) {
          q = q.ref.div(q.sum(0, { keepdims: true })).div(prototypes);
          q = q.ref.div(q.sum(1, { keepdims: true })).div(batch);
        }
        return q.mul(batch);
      };
      const loss = (s: A, teacherProbs: A[], codes: A[]): A => {
        const logp = np.split(s.div(studentTemp), studentViews, 0).map((v) => nn.logSoftmax(v, -1));
        let dino: A = np.zeros([]);
        let swav: A = np.zeros([]);
        // Arrays used by several pairs are referenced (.ref) at each use and released once at the end.
        for (const [t, v] of pairs) {
          dino = dino.add(teacherProbs[t]!.ref.mul(logp[v]!.ref).sum(-1).mean().neg());
          swav = swav.add(codes[t]!.ref.mul(logp[v]!.ref).sum(-1).mean().neg());
        }
        tree.dispose([logp, teacherProbs, codes]);
        return dino.div(pairs.length).add(swav.div(pairs.length));
      };
      const step = jit((s: A, teacher: A, center: A) => {
        const teacherProbs = np.split(lax.stopGradient(nn.softmax(teacher.ref.sub(center.ref).div(teacherTemp), -1)), globalCrops, 0);
        const codes = np.split(lax.stopGradient(s.ref.slice([0, globalCrops * batch])), globalCrops, 0).map(sinkhorn);
        const [value, grad] = valueAndGrad(loss)(s, teacherProbs, codes);
        const newCenter = center.mul(centerMomentum).add(teacher.mean(0).mul(1 - centerMomentum));
        return [value, grad, newCenter] as [A, A, A];
      });
      const student = np.array(d.student).reshape([studentRows, prototypes]);
      const teacher = np.array(d.teacher).reshape([teacherRows, prototypes]);
      const center = np.array(d.center);
      const call = async (): Promise<Output> => {
        const [value, grad, newCenter] = step(student.ref, teacher.ref, center.ref);
        const [l, g, c] = await Promise.all([value.data(), grad.data(), newCenter.data()]);
        return { loss: (l as Float32Array)[0]!, tensors: { grad: g as Float32Array, center: c as Float32Array } };
      };
      return {
        first: call,
        step: async () => void (await call()),
        dispose: () => {
          student.dispose();
          teacher.dispose();
          center.dispose();
          step.dispose();
        },
      };
    },
  };
}
