/**
 * DINO on a small image dataset: one traced program per run holds a whole
 * training step — multi-crop views of the batch, the student on every view,
 * the teacher (EMA, no gradient) on the global views, DINO's loss with
 * centering, AdamW (or SGD or LARS: --optimizer) on the student, the EMA update of the teacher and the new
 * center — compiled once and run as one pipeline call per step. The step is
 * dino-step.ts's (main_dino.py's recipe: per-parameter gradient clipping, the
 * frozen last layer left alone, the optimiser's two parameter groups), the function the
 * dino_train_step golden file checks. The learning rate, weight decay, EMA
 * momentum and the last layer's freeze are inputs, so their schedules need no retracing.
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace, type Program, type TensorSpec } from '../ir/trace.js';
import { mapTree } from '../ir/tree.js';
import { evaluate, type InputsOf, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile } from '../compile/compile.js';
import type { Backend } from '../compile/compile.js';
import { compileWasmCarried } from '../compile/wasm/carry.js';
import { dinoHead } from '../nn/dino-head.js';
import { dino } from '../ssl/dino.js';
import type { OptimizerName, TrainOptimizerState } from './optimizer-choice.js';
import { asTensors, cosineFromTo, isNd, specsOf, scheduleAt, type SpecsOf } from './step-parts.js';
import { dinoOptimizer, dinoStep, type DinoNetwork, type DinoStepOutput } from './dino-step.js';
export type { DinoStepOutput } from './dino-step.js';
import { unflattenFromTensors } from './tensor-tree.js';
import type { CompiledStep, Trainer } from './trainer.js';
import { residency, type CarriedModule } from './resident-state.js';
import { DEFAULT_FLIP, dinoCrops, multiCropSpecs, multiCropViews, sampleMultiCrop, type PresetOptions } from '../data/multi-crop.js';
import type { ViewSpecs, ViewTensors } from '../data/augment/view.js';
import type { Dataset } from '../data/dataset.js';
import { batches, gatherImages } from '../data/loader.js';
import { backbone, MNIST_IMAGES, type Backbone, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec, cropOptions, sourceSize } from './trainer-images.js';

export interface DinoTrainConfig {
  readonly model: ModelName;
  /** The images: channels (1 or 3) and side (default MNIST's 1×28×28); RGB takes DINO's full colour augmentations. */
  readonly image: ImageShape;
  /** Changes to DINO's views (crop scales, colour jitter, grayscale, blur; see PresetOptions); default none, DINO's recipe. */
  readonly views?: Pick<PresetOptions, 'globalScale' | 'localScale' | 'colourJitter' | 'grayscale' | 'blurSigma'>;
  readonly batchSize: number;
  readonly localViews: number;
  /** Probability of a horizontal flip in every view (the recipe's 0.5; 0 for digits, which a mirror changes). */
  readonly flip: number;
  /** Prototypes K of the DINO head's output. */
  readonly outDim: number;
  readonly hiddenDim: number;
  readonly bottleneckDim: number;
  /** main_dino.py's --optimizer: 'adamw' (default), 'sgd' or 'lars' (dino-step.ts' dinoOptimizer). */
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly minLr: number;
  /** Weight decay at the start; it follows a cosine to weightDecayEnd (DINO's wd schedule, 0.04 to 0.4 with AdamW; dinoWeightDecay per optimiser). */
  readonly weightDecay: number;
  readonly weightDecayEnd: number;
  /** DINO's clip_grad: each parameter's gradient clipped to this norm on its own (0: no clipping). */
  readonly clipGrad: number;
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

/**
 * DINO's weight-decay schedule per optimiser, as the official recipes set it: main_dino.py's defaults
 * (0.04 to 0.4) for AdamW, the README's ResNet-50 command for SGD (1e-4 throughout), the released
 * ResNet-50 run's args.txt for LARS (1e-6 throughout).
 */
export const dinoWeightDecay: Readonly<Record<OptimizerName, { readonly weightDecay: number; readonly weightDecayEnd: number }>> = {
  adamw: { weightDecay: 0.04, weightDecayEnd: 0.4 },
  sgd: { weightDecay: 1e-4, weightDecayEnd: 1e-4 },
  lars: { weightDecay: 1e-6, weightDecayEnd: 1e-6 },
};

export const defaultDinoConfig: DinoTrainConfig = {
  model: 'xcit-tiny',
  image: MNIST_IMAGES,
  batchSize: 32,
  localViews: 0,
  flip: DEFAULT_FLIP,
  outDim: 256,
  hiddenDim: 128,
  bottleneckDim: 64,
  optimizer: 'adamw',
  lr: 5e-4,
  minLr: 1e-5,
  ...dinoWeightDecay.adamw,
  clipGrad: 3.0,
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

export type { DinoNetwork } from './dino-step.js';

/**
 * A run's state: concrete values (what the compiled step takes and returns). On the native
 * backend a stepped state's tensors stay in the module until read (resident-state.ts).
 */
export interface DinoState {
  readonly student: ValuesOf<DinoNetwork>;
  readonly teacher: ValuesOf<DinoNetwork>;
  readonly center: NDArray<['K']>;
  readonly opt: ValuesOf<TrainOptimizerState>;
  readonly step: number;
  readonly key: Key;
}

/** The traced step's arguments: student, teacher, center, optimiser state, images, views, lr, momentum, lastLayerLearns, weight decay, lastLayerSkipped. */
export type DinoStepSpecs = readonly [
  SpecsOf<ValuesOf<DinoNetwork>>,
  SpecsOf<ValuesOf<DinoNetwork>>,
  TensorSpec<['K']>,
  SpecsOf<ValuesOf<TrainOptimizerState>>,
  TensorSpec<['B', 'H', 'W']> | TensorSpec<['B', 'C', 'H', 'W']>,
  readonly ViewSpecs[],
  TensorSpec<[]>,
  TensorSpec<[]>,
  TensorSpec<[]>,
  TensorSpec<[]>,
  TensorSpec<[]>,
];


const copyTree = <T>(tree: T): T => mapTree(tree, isNd, (v) => ({ axes: v.axes, sizes: v.sizes, data: Float64Array.from(v.data) })) as T;

/** DINO's trainer: the run loop's Trainer, plus the traced step and its inputs for checks against the reference interpreter. */
export interface DinoTrainer extends Trainer<DinoState> {
  readonly config: DinoTrainConfig;
  readonly compiled: CompiledStep;
  /** The traced step the compiled program runs: `run(trainer.program, ...trainer.stepInputs(state, images).inputs)` is one step on the float64 reference interpreter. */
  readonly program: Program<DinoStepSpecs, DinoStepOutput>;
  /** The state at step 0: student and teacher from the seed, a zero center, a fresh optimiser state. */
  initState(): DinoState;
  /** The inputs `step` passes to the compiled program (the state, the batch, this step's views and schedules), and the learning rate among them. */
  stepInputs(state: DinoState, images: Float32Array, progress?: number): { inputs: InputsOf<DinoStepSpecs>; lr: number };
}

export function dinoTrainer(overrides: Partial<DinoTrainConfig> = {}): DinoTrainer {
  // The weight decay follows the optimiser unless given.
  const config: DinoTrainConfig = { ...defaultDinoConfig, ...dinoWeightDecay[overrides.optimizer ?? defaultDinoConfig.optimizer], ...overrides };
  const net = backbone(config.model, config.image);
  const head = dinoHead({ inDim: net.dim, outDim: config.outDim, hiddenDim: config.hiddenDim, bottleneckDim: config.bottleneckDim });
  const locals = net.acceptsLocalViews ? config.localViews : 0;
  const crops = dinoCrops({ ...config.views, localViews: locals, ...cropOptions(net, 'dino', config.flip) });
  const objective = dino({
    ncrops: 2 + locals,
    warmupTeacherTemp: config.teacherTemp,
    teacherTemp: config.teacherTemp,
    warmupTeacherTempEpochs: 0,
    nepochs: 1,
    studentTemp: config.studentTemp,
    centerMomentum: config.centerMomentum,
  });
  const optimizer = dinoOptimizer(config.optimizer);
  const src = sourceSize(config.image);
  const B = config.batchSize;

  const initState = (): DinoState => {
    const [kb, kh, kd] = split(makeKey(config.seed), 3);
    const student = evaluate({ backbone: net.init(kb!), head: head.init(kh!, {}) });
    const opt = evaluate(optimizer.init(asTensors(student)));
    return { student, teacher: copyTree(student), center: { axes: ['K'], sizes: [config.outDim], data: new Float64Array(config.outDim) }, opt, step: 0, key: kd! };
  };
  const shape = initState();
  const step = dinoStep<BackboneImages>({
    features: (p, x, ctx) => net.features(p, x, ctx),
    head,
    objective,
    optimizer,
    clipGrad: config.clipGrad,
    epoch: 0,
  });

  const program: Program<DinoStepSpecs, DinoStepOutput> = trace(
    (student: DinoNetwork, teacher: DinoNetwork, center: Tensor<['K']>, opt: TrainOptimizerState, images: BackboneImages, viewData: readonly ViewTensors[], lr: Tensor<[]>, momentum: Tensor<[]>, lastLayerLearns: Tensor<[]>, weightDecay: Tensor<[]>, lastLayerSkipped: Tensor<[]>) => {
      const views = multiCropViews(images, viewData, crops);
      const r = step({ student, teacher, center, opt, views: [...views.global, ...views.local], lr, weightDecay, momentum, lastLayerLearns, lastLayerSkipped });
      return { loss: r.loss, student: r.student, teacher: r.teacher, center: r.center, opt: r.opt };
    },
    specsOf(shape.student),
    specsOf(shape.teacher),
    spec(['K'], [config.outDim], 'center'),
    specsOf(shape.opt),
    batchImagesSpec(config.image, B),
    multiCropSpecs(crops, B, src),
    spec([], [], 'lr'),
    spec([], [], 'momentum'),
    spec([], [], 'lastLayerLearns'),
    spec([], [], 'weightDecay'),
    spec([], [], 'lastLayerSkipped'),
  );
  const threads = config.wasmThreads === undefined ? {} : { threads: config.wasmThreads };
  // On the native backend the state stays in the module between steps: a step passes only the batch, its views and its schedule values.
  const carried = config.backend === 'wasm' ? compileWasmCarried(program, { ...threads, carry: { student: 0, teacher: 1, center: 2, opt: 3 } }) : undefined;
  const plain = carried === undefined ? compile(program, { backend: config.backend, wasm: threads }) : undefined;
  const resident = carried === undefined ? undefined : residency(carried as unknown as CarriedModule<SavedDino>, ['student', 'teacher', 'center', 'opt']);
  // Schedules over a fraction p of the run: the learning rate warms up, then follows a cosine to
  // minLr (step-parts' warmupCosine); the EMA momentum follows a cosine from momentumTeacher to 1,
  // the weight decay one from weightDecay to weightDecayEnd (DINO's).
  const momentumAt = (p: number) => cosineFromTo(p, config.momentumTeacher, 1);
  const weightDecayAt = (p: number) => cosineFromTo(p, config.weightDecay, config.weightDecayEnd);
  /** The step's arguments after the state: the batch, this step's views and schedule values. */
  const batchInputs = (state: Pick<DinoState, 'step' | 'key'>, images: Float32Array, progress?: number) => {
    const { p, lr } = scheduleAt(state.step, progress, config);
    const sample = sampleMultiCrop(crops, foldIn(state.key, state.step), B, src);
    const inputs = [images, sample.values, [lr], [momentumAt(p)], [state.step < config.freezeLastLayerSteps ? 0 : 1], [weightDecayAt(p)], [Math.min(state.step, config.freezeLastLayerSteps)]] as const;
    return { inputs, lr };
  };
  const stepInputs = (state: DinoState, images: Float32Array, progress?: number) => {
    const { inputs, lr } = batchInputs(state, images, progress);
    return { inputs: [state.student, state.teacher, state.center, state.opt, ...inputs] as InputsOf<DinoStepSpecs>, lr };
  };
  const checkedLoss = (loss: number, step: number) => {
    if (!Number.isFinite(loss)) throw new Error(`dino: the loss became ${loss} at step ${step}`);
    return loss;
  };

  const saved = (state: DinoState): SavedDino => ({ student: state.student, teacher: state.teacher, center: state.center, opt: state.opt });
  return {
    label: 'DINO',
    crops,
    config,
    backbone: net,
    compiled: (carried ?? plain)!,
    initState,
    program,
    stepInputs,
    async step(state, images, progress) {
      const rest = { step: state.step + 1, key: state.key };
      if (resident !== undefined) {
        const { inputs, lr } = batchInputs(state, images, progress);
        const { result, state: next } = await resident.step(state, () => carried!.run(...inputs), rest);
        return { loss: checkedLoss(result.loss.data[0]!, state.step), lr, state: next };
      }
      const { inputs, lr } = stepInputs(state, images, progress);
      const out = await plain!.run(...inputs);
      return { loss: checkedLoss(out.loss.data[0]!, state.step), lr, state: { student: out.student, teacher: out.teacher, center: out.center, opt: out.opt, ...rest } };
    },
    saved,
    restore: (tensors, step, key) => ({ ...(unflattenFromTensors(saved(shape), tensors) as SavedDino), step, key }),
    destroy: () => (carried ?? plain)!.destroy(),
  };
}

/** What a checkpoint stores of DINO's state. */
type SavedDino = Omit<DinoState, 'step' | 'key'>;

/** Shuffled batches of images, epoch after epoch, from an explicit key. */
export function* imageBatches(ds: Dataset, batchSize: number, key: Key): Generator<Float32Array> {
  for (let epoch = 0; ; epoch++) {
    for (const idx of batches(ds.n, { batchSize, key: foldIn(key, epoch) })) yield gatherImages(ds, idx);
  }
}
