/**
 * Workload dino-step: one whole training step of the main job (`npm start`:
 * DINO on XCiT-tiny, the CLI's defaults: batch 32, 2 global views, no local
 * views, head 32 -> 128 -> 128 -> 64 -> 256, teacher temperature 0.02), run by
 * the library's own trainer (train/dino.ts): the views drawn on the host,
 * augmentation, teacher and student forward, DINO's loss and centre, backward,
 * AdamW, the EMA teacher, as `trainer.step` does it in a run. PyTorch
 * (bench/pytorch/peer.py) runs the same step from the same initial networks,
 * images and view data.
 *
 * The check: CHECK_STEPS steps from the initial state; the loss of each step
 * and the centre after the last are compared (the second and third losses
 * depend on the first step's backward, AdamW update and EMA).
 */
import * as sg from '../../src/index.js';
import { dinoTrainer, type DinoState, type DinoTrainConfig } from '../../src/train/dino.js';
import { xcitMnist } from '../../src/nn/xcit/xcit.js';
import { uniformData } from '../common.js';
import { ranAsRequested, nativeBackend, type Candidate, type Output } from '../harness.js';
import type { PeerTensor, PeerWorkload } from '../pytorch.js';

/** The main job's settings (src/cli/train.ts defaults for --method dino, train/methods.ts). */
export const mainJob: Partial<DinoTrainConfig> = { model: 'xcit-tiny', batchSize: 32, lr: 5e-4, seed: 0, localViews: 0, backend: 'wasm', outDim: 256, teacherTemp: 0.02, momentumTeacher: 0.996 };

/** Steps run from the initial networks for the check. */
export const CHECK_STEPS = 3;

/**
 * The step count the check starts at: the end of the learning-rate warm-up (the trainer's warmupSteps),
 * so that the steps learn at the peak rate and the second and third losses move well beyond float32's
 * rounding (at step 0 the rate is 1/20 of it). Only the schedules and the views' keys read the count.
 */
export const checkFrom = (warmupSteps: number): number => warmupSteps;

/** The workload's data: the batch every row steps on. */
export interface DinoStepData {
  /** A batch of images in [0, 1], [32, 28, 28]. */
  readonly images: Float32Array;
}

/** A deterministic batch (uniform noise in [0, 1]: a step costs the same whatever the pixels). */
export function dinoStepData(): DinoStepData {
  const b = mainJob.batchSize!;
  return { images: uniformData(31, b * 28 * 28, 0, 1) };
}

/**
 * The check's outputs: the first loss, every loss, what the later steps changed (loss i - loss 0,
 * compared on its own scale: it comes from the backward pass, AdamW and the EMA) and the centre.
 */
const checkOutput = (losses: readonly number[], center: ArrayLike<number>): Output => ({
  loss: losses[0]!,
  tensors: { losses: Float64Array.from(losses), 'loss change': Float64Array.from(losses.slice(1), (l) => l - losses[0]!), center },
});

/** shapegrad's trainer on the native backend with `threads` threads; each timed call is one trainer.step. */
export function shapegradDinoStep(d: DinoStepData, threads: number): Candidate {
  const backend = nativeBackend(threads);
  return {
    impl: 'shapegrad',
    backend,
    prepare: async () => {
      const trainer = dinoTrainer({ ...mainJob, wasmThreads: threads });
      let state: DinoState = { ...trainer.initState(), step: checkFrom(trainer.config.warmupSteps) };
      const step = async () => {
        const r = await trainer.step(state, d.images);
        const info = trainer.compiled.lastRun();
        if (info === undefined || !ranAsRequested(backend, info)) throw new Error(`asked for backend ${backend} but ${info?.backend ?? 'nothing'} ran (${info?.fallbackReason ?? 'no reason given'})`);
        if (info.pipelineCalls !== 1) throw new Error(`expected one pipeline call, got ${info.pipelineCalls}`);
        state = r.state;
        return r.loss;
      };
      return {
        first: async () => {
          const losses: number[] = [];
          for (let s = 0; s < CHECK_STEPS; s++) losses.push(await step());
          return checkOutput(losses, state.center.data);

        },
        step: async () => void (await step()),
        dispose: () => trainer.destroy(),
        ran: () => `${trainer.compiled.kernels.length} kernels, native wasm SIMD, ${threads} thread${threads > 1 ? 's' : ''}; trainer.step (views drawn on the host each step)`,
      };
    },
  };
}

const f32 = (data: ArrayLike<number>): Float32Array => Float32Array.from(data as ArrayLike<number>);

function treeTensors(prefix: string, tree: unknown): Record<string, PeerTensor> {
  const flat = sg.flattenTree(tree, (x: unknown): x is sg.NDArray => typeof x === 'object' && x !== null && (x as sg.NDArray).data instanceof Float64Array);
  const out: Record<string, PeerTensor> = {};
  flat.leaves.forEach((leaf, i) => void (out[`${prefix}.${flat.paths[i]}`] = { shape: leaf.sizes, data: f32(leaf.data) }));
  return out;
}

/**
 * What the PyTorch peer gets: the trainer's initial student and teacher, the images, and for each
 * of the CHECK_STEPS steps the view data, learning rate, weight decay, EMA momentum and last-layer freeze that trainer.step would use
 * (its timed calls cycle through those steps' views).
 */
export function dinoStepPeer(d: DinoStepData): PeerWorkload {
  // A trainer for its initial state and step inputs only (compiled, never run).
  const trainer = dinoTrainer({ ...mainJob, wasmThreads: 1 });
  try {
    const state = trainer.initState();
    const tensors: Record<string, PeerTensor> = { ...treeTensors('student', state.student), ...treeTensors('teacher', state.teacher), images: { shape: [mainJob.batchSize!, 28, 28], data: d.images } };
    const stepsInfo: { lr: number; momentum: number; lastLayerFrozen: boolean; wd: number }[] = [];
    for (let s = 0; s < CHECK_STEPS; s++) {
      const { inputs } = trainer.stepInputs({ ...state, step: checkFrom(trainer.config.warmupSteps) + s }, d.images);
      const views = inputs[5];
      if (views.length !== 2) throw new Error(`dino-step: expected 2 global views, the trainer draws ${views.length}`);
      views.forEach((v, i) => {
        for (const [k, data] of Object.entries(v) as [string, Float64Array][]) {
          const n = mainJob.batchSize!;
          const shape = data.length === n ? [n] : [n, data.length / n / 28, 28];
          tensors[`step${s}.view${i}.${k}`] = { shape, data: f32(data) };
        }
      });
      const scalar = (x: unknown): number => (x as ArrayLike<number>)[0]!;
      stepsInfo.push({ lr: scalar(inputs[6]), momentum: scalar(inputs[7]), lastLayerFrozen: scalar(inputs[8]) === 0, wd: scalar(inputs[9]) });
    }
    const c = trainer.config;
    return {
      workload: 'dino-step',
      job: {
        steps: CHECK_STEPS,
        stepsInfo,
        config: { xcit: xcitMnist, outDim: c.outDim, hiddenDim: c.hiddenDim, bottleneckDim: c.bottleneckDim, teacherTemp: c.teacherTemp, studentTemp: c.studentTemp, centerMomentum: c.centerMomentum, clipGrad: c.clipGrad },
      },
      tensors,
      toOutput: (r) => {
        const losses = r.scalars['losses'];
        if (!Array.isArray(losses) || losses.length !== CHECK_STEPS) throw new Error(`pytorch peer: dino-step needs ${CHECK_STEPS} losses, got ${JSON.stringify(losses)}`);
        const center = r.tensors['center'];
        if (center === undefined) throw new Error('pytorch peer: dino-step returned no center');
        return checkOutput(losses as number[], center);
      },
    };
  } finally {
    trainer.destroy();
  }
}
