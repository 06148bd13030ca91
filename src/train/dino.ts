/**
 * DINO on a small image dataset: one traced program per run holds a whole
 * training step — multi-crop views of the batch, the student on every view,
 * the teacher (EMA, no gradient) on the global views, DINO's loss with
 * centering, AdamW on the student, the EMA update of the teacher and the new
 * center — compiled once and run as one pipeline call per step. The learning
 * rate and the EMA momentum are inputs, so their schedules need no retracing.
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace, type Program, type TensorSpec } from '../ir/trace.js';
import { mapTree } from '../ir/tree.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { evaluate, type InputsOf, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile, type CompiledProgram } from '../compile/compile.js';
import type { Backend } from '../compile/compile.js';
import { dinoHead, type DinoHeadParams } from '../nn/dino-head.js';
import { dino } from '../ssl/dino.js';
import { asCenter } from '../ssl/center.js';
import { asTeacher, asTeacherParams } from '../ssl/teacher.js';
import { emaUpdate } from '../ssl/ema.js';
import { adamw, type AdamWState } from '../optim/adamw.js';
import { regularized } from '../optim/optimizer.js';
import { concat } from '../ops/slicing.js';
import { splitViews } from '../ssl/multi-crop.js';
import { withUpdates } from '../nn/params.js';
import { asTensors, cosineFromTo, gate, isNd, sameSizeGroups, specsOf, scheduleAt, type SpecsOf } from './step-parts.js';
import { unflattenFromTensors } from './tensor-tree.js';
import type { Trainer } from './trainer.js';
import type { ApplyContext } from '../nn/layer.js';
import { dinoCrops, multiCropSpecs, multiCropViews, sampleMultiCrop } from '../data/multi-crop.js';
import type { ViewSpecs, ViewTensors } from '../data/augment/view.js';
import type { Dataset } from '../data/dataset.js';
import { batches, gatherImages } from '../data/loader.js';
import { backbone, type Backbone, type ModelName } from './models.js';

export interface DinoTrainConfig {
  readonly model: ModelName;
  readonly batchSize: number;
  readonly localViews: number;
  /** Prototypes K of the DINO head's output. */
  readonly outDim: number;
  readonly hiddenDim: number;
  readonly bottleneckDim: number;
  readonly lr: number;
  readonly minLr: number;
  readonly weightDecay: number;
  readonly teacherTemp: number;
  readonly studentTemp: number;
  readonly centerMomentum: number;
  readonly momentumTeacher: number;
  /** Steps the schedules span (the run may stop earlier on its time budget). */
  readonly plannedSteps: number;
  readonly warmupSteps: number;
  /** Steps during which the head's last layer does not learn (DINO's freeze_last_layer, one epoch there). */
  readonly freezeLastLayerSteps: number;
  readonly seed: number;
  readonly backend: Backend;
  /** Threads of the native wasm backend (default: the machine's cores); the bench's wasm-1t and wasm-2t rows set it. */
  readonly wasmThreads?: number;
}

export const defaultDinoConfig: DinoTrainConfig = {
  model: 'xcit-tiny',
  batchSize: 32,
  localViews: 0,
  outDim: 256,
  hiddenDim: 128,
  bottleneckDim: 64,
  lr: 5e-4,
  minLr: 1e-5,
  weightDecay: 0.04,
  teacherTemp: 0.02,
  studentTemp: 0.1,
  centerMomentum: 0.9,
  momentumTeacher: 0.996,
  plannedSteps: 400,
  warmupSteps: 20,
  freezeLastLayerSteps: 0,
  seed: 0,
  backend: 'wasm',
};

/** The student and teacher networks: a backbone and a DINO head. */
export interface DinoNetwork {
  readonly backbone: unknown;
  readonly head: DinoHeadParams;
}

/** A run's state: concrete values (what the compiled step takes and returns). */
export interface DinoState {
  readonly student: ValuesOf<DinoNetwork>;
  readonly teacher: ValuesOf<DinoNetwork>;
  readonly center: NDArray<['K']>;
  readonly opt: ValuesOf<AdamWState>;
  readonly step: number;
  readonly key: Key;
}

/** The traced step's arguments: student, teacher, center, optimiser state, images, views, lr, momentum, lastLayerLearns. */
export type DinoStepSpecs = readonly [
  SpecsOf<ValuesOf<DinoNetwork>>,
  SpecsOf<ValuesOf<DinoNetwork>>,
  TensorSpec<['K']>,
  SpecsOf<ValuesOf<AdamWState>>,
  TensorSpec<['B', 'H', 'W']>,
  readonly ViewSpecs[],
  TensorSpec<[]>,
  TensorSpec<[]>,
  TensorSpec<[]>,
];

/** The traced step's results. */
export interface DinoStepOutput {
  readonly loss: Tensor<[]>;
  readonly student: DinoNetwork;
  readonly teacher: DinoNetwork;
  readonly center: Tensor<['K']>;
  readonly opt: AdamWState;
}

const copyTree = <T>(tree: T): T => mapTree(tree, isNd, (v) => ({ axes: v.axes, sizes: v.sizes, data: Float64Array.from(v.data) })) as T;

/** DINO's trainer: the run loop's Trainer, plus the traced step and its inputs for checks against the reference interpreter. */
export interface DinoTrainer extends Trainer<DinoState> {
  readonly config: DinoTrainConfig;
  readonly compiled: CompiledProgram<DinoStepSpecs, DinoStepOutput>;
  /** The traced step the compiled program runs: `run(trainer.program, ...trainer.stepInputs(state, images).inputs)` is one step on the float64 reference interpreter. */
  readonly program: Program<DinoStepSpecs, DinoStepOutput>;
  /** The state at step 0: student and teacher from the seed, a zero center, fresh AdamW moments. */
  initState(): DinoState;
  /** The inputs `step` passes to the compiled program (the state, the batch, this step's views and schedules), and the learning rate among them. */
  stepInputs(state: DinoState, images: Float32Array, progress?: number): { inputs: InputsOf<DinoStepSpecs>; lr: number };
}

export function dinoTrainer(overrides: Partial<DinoTrainConfig> = {}): DinoTrainer {
  const config: DinoTrainConfig = { ...defaultDinoConfig, ...overrides };
  const net = backbone(config.model);
  const head = dinoHead({ inDim: net.dim, outDim: config.outDim, hiddenDim: config.hiddenDim, bottleneckDim: config.bottleneckDim });
  const locals = net.acceptsLocalViews ? config.localViews : 0;
  const crops = dinoCrops({ localViews: locals });
  const objective = dino({
    ncrops: 2 + locals,
    warmupTeacherTemp: config.teacherTemp,
    teacherTemp: config.teacherTemp,
    warmupTeacherTempEpochs: 0,
    nepochs: 1,
    studentTemp: config.studentTemp,
    centerMomentum: config.centerMomentum,
  });
  const optimizer = adamw({ weightDecay: config.weightDecay, decay: regularized });
  const src = { height: 28, width: 28 };
  const B = config.batchSize;

  const initState = (): DinoState => {
    const [kb, kh, kd] = split(makeKey(config.seed), 3);
    const student = evaluate({ backbone: net.init(kb!), head: head.init(kh!, {}) });
    const opt = evaluate(optimizer.init(asTensors(student)));
    return { student, teacher: copyTree(student), center: { axes: ['K'], sizes: [config.outDim], data: new Float64Array(config.outDim) }, opt, step: 0, key: kd! };
  };
  const shape = initState();

  // As DINO's MultiCropWrapper: views of one size go through the backbone together, in training
  // mode (BatchNorm normalises with the batch statistics); the new running statistics are emitted.
  const forward = (p: DinoNetwork, views: readonly Tensor<['B', 'H', 'W']>[], emitted: Record<string, Tensor>): Tensor<['B', 'K']>[] => {
    const ctx: ApplyContext = { training: true, key: undefined, path: [], emit: (name, value) => void (emitted[name] = value) };
    return sameSizeGroups(views).flatMap((group) => {
      const x = group.length === 1 ? group[0]! : (concat(group, 'B') as Tensor<['B', 'H', 'W']>);
      const y = head.apply(p.head, net.features(withUpdates(p.backbone, emitted), x, ctx)) as Tensor<['B', 'K']>;
      return group.length === 1 ? [y] : splitViews(y, 'B', group.length);
    });
  };

  const program: Program<DinoStepSpecs, DinoStepOutput> = trace(
    (student: DinoNetwork, teacher: DinoNetwork, center: Tensor<['K']>, opt: AdamWState, images: Tensor<['B', 'H', 'W']>, viewData: readonly ViewTensors[], lr: Tensor<[]>, momentum: Tensor<[]>, lastLayerLearns: Tensor<[]>) => {
      const views = multiCropViews(images, viewData, crops);
      const globals = views.global;
      const all = [...globals, ...views.local];
      const teacherStats: Record<string, Tensor> = {};
      const teacherOut = forward(teacher, globals, teacherStats).map((t) => asTeacher(t));
      let newCenter: Tensor<['K']> = center;
      const studentStats: Record<string, Tensor> = {};
      const [loss, grads] = valueAndGrad((s: DinoNetwork) => {
        const result = objective.loss(forward(s, all, studentStats), teacherOut, { center: asCenter(center) }, 0);
        newCenter = result.state.center;
        return result.loss;
      })(student);
      const next = optimizer.step(student, freezeLastLayer(grads, lastLayerLearns), opt, lr);
      const newStudent = withBackboneStats(next.params as DinoNetwork, studentStats);
      // The teacher's BatchNorm statistics are those of its own forward pass (emaUpdate leaves buffers alone).
      const newTeacher = withBackboneStats(emaUpdate(asTeacherParams(teacher), newStudent, momentum), teacherStats);
      return { loss, student: newStudent, teacher: newTeacher, center: newCenter, opt: next.state };
    },
    specsOf(shape.student),
    specsOf(shape.teacher),
    spec(['K'], [config.outDim], 'center'),
    specsOf(shape.opt),
    spec(['B', 'H', 'W'], [B, 28, 28], 'images'),
    multiCropSpecs(crops, B, src),
    spec([], [], 'lr'),
    spec([], [], 'momentum'),
    spec([], [], 'lastLayerLearns'),
  );
  const compiled = compile(program, { backend: config.backend, ...(config.wasmThreads === undefined ? {} : { wasm: { threads: config.wasmThreads } }) });
  // Schedules over a fraction p of the run: the learning rate warms up, then follows a cosine to
  // minLr (step-parts' warmupCosine); the EMA momentum follows a cosine from momentumTeacher to 1 (DINO's).
  const momentumAt = (p: number) => cosineFromTo(p, config.momentumTeacher, 1);
  const stepInputs = (state: DinoState, images: Float32Array, progress?: number) => {
    const { p, lr } = scheduleAt(state.step, progress, config);
    const sample = sampleMultiCrop(crops, foldIn(state.key, state.step), B, src);
    const inputs: InputsOf<DinoStepSpecs> = [state.student, state.teacher, state.center, state.opt, images, sample.values, [lr], [momentumAt(p)], [state.step < config.freezeLastLayerSteps ? 0 : 1]];
    return { inputs, lr };
  };

  const saved = (state: DinoState): SavedDino => ({ student: state.student, teacher: state.teacher, center: state.center, opt: state.opt });
  return {
    label: 'DINO',
    config,
    backbone: net,
    compiled,
    initState,
    program,
    stepInputs,
    async step(state, images, progress) {
      const { inputs, lr } = stepInputs(state, images, progress);
      const out = await compiled.run(...inputs);
      const loss = out.loss.data[0]!;
      if (!Number.isFinite(loss)) throw new Error(`dino: the loss became ${loss} at step ${state.step}`);
      return {
        loss,
        lr,
        state: { student: out.student, teacher: out.teacher, center: out.center, opt: out.opt, step: state.step + 1, key: state.key },
      };
    },
    saved,
    restore: (tensors, step, key) => ({ ...(unflattenFromTensors(saved(shape), tensors) as SavedDino), step, key }),
    destroy: () => compiled.destroy(),
  };
}

/** What a checkpoint stores of DINO's state. */
type SavedDino = Omit<DinoState, 'step' | 'key'>;

/** The last layer's weight gradient gated (0 frozen, 1 learns), as an input so that no retracing is needed. */
function freezeLastLayer(grads: DinoNetwork, learns: Tensor<[]>): DinoNetwork {
  const last = grads.head.last_layer;
  return { ...grads, head: { ...grads.head, last_layer: { ...last, weight_v: gate(last.weight_v, learns) } } };
}

const withBackboneStats = <T extends { readonly backbone: unknown }>(p: T, stats: Readonly<Record<string, Tensor>>): T => ({ ...p, backbone: withUpdates(p.backbone, stats) });


/** Shuffled batches of images, epoch after epoch, from an explicit key. */
export function* imageBatches(ds: Dataset, batchSize: number, key: Key): Generator<Float32Array> {
  for (let epoch = 0; ; epoch++) {
    for (const idx of batches(ds.n, { batchSize, key: foldIn(key, epoch) })) yield gatherImages(ds, idx);
  }
}
