/**
 * SwAV on a small image dataset, one traced program per run: multi-crop views
 * of the batch, the backbone (training-mode BatchNorm, views of one size
 * batched) and a projection head on every view, L2-normalised embeddings
 * scored against L2-normalised prototypes, Sinkhorn codes of the assignment
 * views (no gradient), the swapped-prediction loss, the chosen optimiser
 * (optimizer-choice.ts), and the prototypes normalised again after the update
 * (the official code normalises them at the top of every iteration: the same
 * sequence of values). The prototypes get no gradient for the first
 * `freezePrototypesSteps` steps (a scalar input, so no retracing).
 *
 * With `queueLength` > 0 the trainer keeps main_swav.py's queue (swav-queue.ts
 * says when): its rows change Sinkhorn's input size, so each queue phase is
 * its own program, compiled when first needed. SEER's entry reuses this
 * trainer on a RegNetY trunk with LARS.
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import { stopGradient } from '../ops/identity.js';
import { l2Normalize } from '../ops/normalization.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile } from '../compile/compile.js';
import { within } from '../nn/layer.js';
import { bnHead, type HeadParams } from './heads.js';
import { linear } from '../nn/linear.js';
import { withUpdates } from '../nn/params.js';
import { swav, type QueueTensor, type SwavState } from '../ssl/swav.js';
import { detach } from '../ssl/cross-entropy-soft.js';
import { trainOptimizer, type OptimizerName } from './optimizer-choice.js';
import { emptyQueue, queuePhase, queueRows, type QueuePhase } from './swav-queue.js';
import type { CompiledProgram } from '../compile/compile.js';
import { DEFAULT_FLIP, multiCropSpecs, multiCropViews, sampleMultiCrop, swavCrops, type MultiCropConfig, type PresetOptions } from '../data/multi-crop.js';
import type { ViewTensors } from '../data/augment/view.js';
import { unflattenFromTensors } from './checkpoint.js';
import { backbone, MNIST_IMAGES, tinyLinearInitStd, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec, cropOptions, sourceSize } from './trainer-images.js';
import { asTensors, gate, rowsOfViews, specsOf, trainingContext, scheduleAt, type OptimisationConfig } from './step-parts.js';
import type { Trainer, TrainState } from './trainer.js';

export interface SwavTrainConfig extends OptimisationConfig {
  readonly model: ModelName;
  /** The images: channels (1 or 3) and side (default MNIST's 1×28×28); RGB takes SwAV's full colour distortion. */
  readonly image: ImageShape;
  readonly batchSize: number;
  readonly localViews: number;
  /** Probability of a horizontal flip in every view (the recipe's 0.5; 0 for digits, which a mirror changes). */
  readonly flip: number;
  /** Prototypes K. */
  readonly prototypes: number;
  readonly hiddenDim: number;
  /** Width D of the embedding. */
  readonly embedDim: number;
  readonly temperature: number;
  readonly epsilon: number;
  readonly sinkhornIterations: number;
  readonly freezePrototypesSteps: number;
  /** 'swav' for the official crop scales, 'mild' for DINO's (see swavTrainCrops). */
  readonly crops: 'swav' | 'mild';
  readonly optimizer: OptimizerName;
  /** main_swav.py's queue_length (rounded down to a multiple of the batch); 0 for no queue. */
  readonly queueLength: number;
  /** main_swav.py's epoch_queue_starts: the epoch from which the queue is kept. */
  readonly epochQueueStarts: number;
  /** Steps in an epoch (the run's batches per epoch): what epochQueueStarts counts in. */
  readonly stepsPerEpoch: number;
  /** The method's name in tables ('SwAV', or 'SEER' on its entry). */
  readonly label: string;
}

export const defaultSwavConfig: SwavTrainConfig = {
  model: 'xcit-tiny',
  image: MNIST_IMAGES,
  batchSize: 64,
  localViews: 2,
  flip: DEFAULT_FLIP,
  prototypes: 30,
  hiddenDim: 128,
  embedDim: 64,
  temperature: 0.1,
  epsilon: 0.05,
  sinkhornIterations: 3,
  lr: 3e-3,
  minLr: 1e-5,
  weightDecay: 1e-6,
  warmupSteps: 20,
  freezePrototypesSteps: 50,
  plannedSteps: 400,
  crops: 'mild',
  optimizer: 'adamw',
  queueLength: 0,
  epochQueueStarts: 0,
  stepsPerEpoch: 937, // MNIST's 60,000 training images in batches of 64, the last partial one dropped
  label: 'SwAV',
  seed: 0,
  backend: 'wasm',
};

/**
 * SwAV's views for 28×28 digits. 'swav' is the official recipe scaled to 28 (global crops from
 * 14% of the image, local ones from 5–14%: on MNIST most of those show background or a stroke);
 * 'mild' keeps its colour distortion and blur but takes DINO's scales (0.4–1 and 0.05–0.4).
 */
export function swavTrainCrops(kind: 'swav' | 'mild', localViews: number, options: PresetOptions = {}): MultiCropConfig {
  const base = swavCrops({ ...options, localViews });
  if (kind === 'swav') return base;
  return {
    name: 'swav-mild',
    global: base.global.map((v) => ({ ...v, scale: [0.4, 1] as const })),
    local: base.local.map((v) => ({ ...v, scale: [0.05, 0.4] as const })),
  };
}

export interface SwavNetwork {
  readonly backbone: unknown;
  readonly head: HeadParams<'C', 'H', 'D'>;
  /** [K, D], unit rows. */
  readonly prototypes: Tensor<['K', 'D']>;
}

export interface SwavTrainState extends TrainState {
  readonly params: ValuesOf<SwavNetwork>;
  /** The optimiser's state (its moments or momentum buffers), shaped by config.optimizer. */
  readonly opt: unknown;
  /** main_swav.py's queue [assign, slot, D], once it exists. */
  readonly queue?: NDArray;
}

/** What one step computed: the loss, the state after it, and the embeddings it scored [V·B, D] (to check the loss against). */
export interface SwavStepOutputs {
  readonly phase: QueuePhase;
  readonly loss: number;
  readonly lr: number;
  readonly embedding: NDArray;
  readonly state: SwavTrainState;
}

export interface SwavTrainer extends Trainer<SwavTrainState> {
  readonly config: SwavTrainConfig;
  /** The SwAV objective the steps use (its queueLength is the queue's rows). */
  readonly objective: ReturnType<typeof swav>;
  /** One step with everything it computed (step() is this without the embeddings). */
  stepOutputs(state: SwavTrainState, images: Float32Array, progress?: number): Promise<SwavStepOutputs>;
}

/** The objective's state in a phase: the queue as a traced input, filled when it is read. */
function queueState(phase: QueuePhase, queue: QueueTensor<'D'> | undefined): SwavState<'D'> {
  if (phase === 'off' || queue === undefined) return { queue: undefined, useTheQueue: false };
  return { queue: { queue: detach(queue), filled: phase === 'used' ? queue.size('slot') : 0 }, useTheQueue: phase === 'used' };
}

export function swavTrainer(overrides: Partial<SwavTrainConfig> = {}): SwavTrainer {
  const config: SwavTrainConfig = { ...defaultSwavConfig, ...overrides };
  const net = backbone(config.model, config.image);
  const head = bnHead('C', 'H', 'D', tinyLinearInitStd);
  const protoLayer = linear('D', 'K', { bias: false });
  const locals = net.acceptsLocalViews ? config.localViews : 0;
  const crops = swavTrainCrops(config.crops, locals, cropOptions(net, 'swav', config.flip));
  const B = config.batchSize;
  const rows = queueRows(config.queueLength, B);
  const objective = swav({ nmbCrops: locals > 0 ? [2, locals] : [2], temperature: config.temperature, epsilon: config.epsilon, sinkhornIterations: config.sinkhornIterations, queueLength: rows });
  const assign = objective.config.cropsForAssign.length;
  const optimizer = trainOptimizer(config.optimizer, config.weightDecay);
  const src = sourceSize(config.image);
  const sizes = { C: net.dim, H: config.hiddenDim, D: config.embedDim, K: config.prototypes };

  const initParams = (): ValuesOf<SwavNetwork> => {
    // the backbone's key is DINO's (split(seed, 3)[0]), so "random initialisation" is the same network
    const [kb, kh, kp] = split(makeKey(config.seed), 3);
    const w = (protoLayer.init(kp!, sizes) as { weight: Tensor<['K', 'D']> }).weight;
    return evaluate({ backbone: net.init(kb!), head: head.init(kh!, sizes), prototypes: l2Normalize(w, 'D') });
  };
  const initState = (): SwavTrainState => {
    const params = initParams();
    const opt = evaluate(optimizer.init(asTensors(params)) as object) as unknown;
    return { params, opt, step: 0, key: foldIn(makeKey(config.seed), 3) };
  };
  const shape = initState();

  // the backbone on views of one size together (as MultiCropWrapper), the head on all rows at once (as SwAV's ResNet)
  const embed = (p: SwavNetwork, views: readonly BackboneImages[], stats: Record<string, Tensor>, headStats: Record<string, Tensor>): Tensor<['B', 'D']> => {
    const features = rowsOfViews(views, (x) => net.features(withUpdates(p.backbone, stats), x, trainingContext(stats)));
    return l2Normalize(head.apply(p.head, features, within(trainingContext(headStats), 'head')), 'D');
  };

  // one program per queue phase: the queue (an input and an output) changes Sinkhorn's rows
  const programOf = (phase: QueuePhase) => {
    const body = (params: SwavNetwork, opt: unknown, images: BackboneImages, viewData: readonly ViewTensors[], lr: Tensor<[]>, prototypesLearn: Tensor<[]>, queue?: QueueTensor<'D'>) => {
      const views = multiCropViews(images, viewData, crops);
      const stats: Record<string, Tensor> = {};
      const headStats: Record<string, Tensor> = {};
      let scored: { embedding: Tensor<['B', 'D']>; queue: Tensor | undefined } | undefined;
      const [loss, grads] = valueAndGrad((p: SwavNetwork) => {
        const embedding = embed(p, [...views.global, ...views.local], stats, headStats);
        const r = objective.loss({ embedding, prototypes: p.prototypes }, queueState(phase, queue), Number.MAX_SAFE_INTEGER);
        scored = { embedding: stopGradient(embedding), queue: r.state.queue?.queue };
        return r.loss;
      })(params);
      const g = grads as SwavNetwork;
      const next = optimizer.step(params, { ...g, prototypes: gate(g.prototypes, prototypesLearn) }, opt, lr);
      const p = next.params as SwavNetwork;
      const params_: SwavNetwork = { ...withUpdates(p, headStats), backbone: withUpdates(p.backbone, stats), prototypes: stopGradient(l2Normalize(p.prototypes, 'D')) };
      return { loss, params: params_, opt: next.state, embedding: scored!.embedding, ...(scored!.queue === undefined ? {} : { queue: scored!.queue }) };
    };
    const specs = [
      specsOf(shape.params),
      specsOf(shape.opt),
      batchImagesSpec(config.image, B),
      multiCropSpecs(crops, B, src),
      spec([], [], 'lr'),
      spec([], [], 'prototypesLearn'),
      ...(phase === 'off' ? [] : [spec(['assign', 'slot', 'D'], [assign, rows, config.embedDim], 'queue')]),
    ] as const;
    return compile(trace(body as (...args: unknown[]) => ReturnType<typeof body>, ...specs), { backend: config.backend }) as unknown as CompiledProgram<readonly unknown[], StepValues>;
  };
  const programs = new Map<QueuePhase, CompiledProgram<readonly unknown[], StepValues>>();
  const programFor = (phase: QueuePhase) => {
    if (!programs.has(phase)) programs.set(phase, programOf(phase));
    return programs.get(phase)!;
  };
  const phaseAt = (state: SwavTrainState) => queuePhase(state.queue, Math.floor(state.step / config.stepsPerEpoch), { rows, epochQueueStarts: config.epochQueueStarts });
  const compiled = programFor(phaseAt(shape));
  const like = (withQueue: boolean) => ({ params: shape.params, opt: shape.opt, ...(withQueue ? { queue: emptyQueue(assign, rows, 'D', config.embedDim) } : {}) });

  const stepOutputs = async (state: SwavTrainState, images: Float32Array, progress?: number): Promise<SwavStepOutputs> => {
    const { lr } = scheduleAt(state.step, progress, config);
    const sample = sampleMultiCrop(crops, foldIn(foldIn(state.key, 10), state.step), B, src);
    const phase = phaseAt(state);
    const queue = phase === 'off' ? [] : [state.queue ?? emptyQueue(assign, rows, 'D', config.embedDim)];
    const out = await programFor(phase).run(state.params, state.opt, images, sample.values, [lr], [state.step < config.freezePrototypesSteps ? 0 : 1], ...queue);
    const loss = out.loss.data[0]!;
    if (!Number.isFinite(loss)) throw new Error(`${config.label.toLowerCase()}: the loss became ${loss} at step ${state.step}`);
    const next: SwavTrainState = { params: out.params, opt: out.opt, step: state.step + 1, key: state.key, ...(out.queue === undefined ? {} : { queue: out.queue }) };
    return { phase, loss, lr, embedding: out.embedding, state: next };
  };

  return {
    label: config.label,
    crops,
    config,
    objective,
    backbone: net,
    compiled,
    initState,
    stepOutputs,
    async step(state, images, progress) {
      const r = await stepOutputs(state, images, progress);
      return { loss: r.loss, lr: r.lr, state: r.state };
    },
    saved: (s) => ({ params: s.params, opt: s.opt, ...(s.queue === undefined ? {} : { queue: s.queue }) }),
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      const restored = unflattenFromTensors(like(rows > 0 && 'queue' in tensors), tensors);
      return { ...restored, step, key };
    },
    destroy: () => programs.forEach((p) => p.destroy()),
  };
}

/** What a step's program returns (as tensors; its run gives their values). */
interface StepValues {
  readonly loss: Tensor<[]>;
  readonly params: SwavNetwork;
  readonly opt: unknown;
  readonly embedding: Tensor<['B', 'D']>;
  readonly queue?: Tensor<['assign', 'slot', 'D']>;
}
