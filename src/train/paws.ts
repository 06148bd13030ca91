/**
 * PAWS on a small image dataset, one traced program per run: a labelled
 * support set of `labelsPerClass` images per class (chosen by labelledSubset
 * from an explicit key); each step a class-balanced support batch of
 * `supportPerClass` images per class (row r of class r mod C, as PAWS'
 * ClassStratifiedSampler), one augmented view each, and the multi-crop views
 * (pawsCrops) of a batch of unlabelled images; all through the backbone
 * (training-mode BatchNorm, views of one size together, as PAWS' encoder),
 * the projection head (h) and the prediction head (z); PAWS' loss (soft
 * nearest neighbours, sharpened targets from the swapped global views,
 * label smoothing, me-max); AdamW, or PAWS' LARS or SGD (config.optimizer).
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile } from '../compile/compile.js';
import { withUpdates } from '../nn/params.js';
import { paws } from '../ssl/paws.js';
import { trainOptimizer, type OptimizerName } from './optimizer-choice.js';
import { DEFAULT_FLIP, multiCropSpecs, multiCropViews, pawsCrops, sampleMultiCrop, type MultiCropConfig } from '../data/multi-crop.js';
import type { ViewTensors } from '../data/augment/view.js';
import { permutation } from '../data/permutation.js';
import type { LabelledImages } from '../eval/baselines.js';
import { unflattenFromTensors } from './checkpoint.js';
import { backbone, MNIST_IMAGES, tinyLinearInitStd, type Backbone, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec, cropOptions, sourceSize, valuesPerImage } from './trainer-images.js';
import { asTensors, rowsOfViews, specsOf, trainingContext, scheduleAt, type OptimisationConfig } from './step-parts.js';
import { bnHead, type HeadParams } from './heads.js';
import { within } from '../nn/layer.js';
import type { Trainer, TrainState } from './trainer.js';

export interface PawsTrainConfig extends OptimisationConfig {
  readonly model: ModelName;
  /** The images: channels (1 or 3) and side (default MNIST's 1×28×28); RGB takes PAWS' full colour distortion. */
  readonly image: ImageShape;
  /** Unlabelled images per step. */
  readonly batchSize: number;
  readonly localViews: number;
  /** Probability of a horizontal flip in every view (the recipe's 0.5; 0 for digits, which a mirror changes). */
  readonly flip: number;
  readonly numClasses: number;
  /** Labelled images per class in the support set. */
  readonly labelsPerClass: number;
  /** Support images per class in each step's support batch (at most labelsPerClass). */
  readonly supportPerClass: number;
  readonly hiddenDim: number;
  /** Width D of h and z. */
  readonly embedDim: number;
  /** Hidden width of the prediction head. */
  readonly predDim: number;
  readonly tau: number;
  readonly sharpenT: number;
  readonly labelSmoothing: number;
  readonly meMax: boolean;
  readonly optimizer: OptimizerName;
}

export const defaultPawsConfig: PawsTrainConfig = {
  model: 'xcit-tiny',
  image: MNIST_IMAGES,
  batchSize: 32,
  localViews: 2,
  flip: DEFAULT_FLIP,
  numClasses: 10,
  labelsPerClass: 10,
  supportPerClass: 5,
  hiddenDim: 128,
  embedDim: 64,
  predDim: 128,
  tau: 0.1,
  sharpenT: 0.25,
  labelSmoothing: 0.1,
  meMax: true,
  optimizer: 'adamw',
  lr: 3e-3,
  minLr: 1e-5,
  weightDecay: 1e-6,
  warmupSteps: 20,
  plannedSteps: 400,
  seed: 0,
  backend: 'wasm',
};

/**
 * `perClass` labelled images of each class, drawn from `key`: for each class, its images in the
 * order of a permutation of the whole split, the first `perClass` taken. Returns indices class by class.
 */
export function labelledSubset(labels: Uint8Array, numClasses: number, perClass: number, key: Key): Uint32Array {
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`labelledSubset: labels per class must be a positive integer, got ${perClass}`);
  const order = permutation(key, labels.length);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (const i of order) {
    const c = labels[i]!;
    if (c >= numClasses) throw new RangeError(`labelledSubset: label ${c} is not below ${numClasses} classes`);
    if (byClass[c]!.length < perClass) byClass[c]!.push(i);
  }
  byClass.forEach((idx, c) => {
    if (idx.length < perClass) throw new RangeError(`labelledSubset: class ${c} has ${idx.length} images, fewer than ${perClass} labels per class`);
  });
  return Uint32Array.from(byClass.flat());
}

/** The key of the labelled subset of a run with this seed (eval --run draws the same one). */
export const labelledKey = (seed: number): Key => foldIn(makeKey(seed), 4);

export interface PawsNetwork {
  readonly backbone: unknown;
  /** Projection head: features -> h. */
  readonly head: HeadParams<'C', 'H', 'D'>;
  /** Prediction head: h -> z. */
  readonly pred: HeadParams<'D', 'P', 'D'>;
}

export interface PawsTrainState extends TrainState {
  readonly params: ValuesOf<PawsNetwork>;
  /** The optimiser's state, shaped by config.optimizer. */
  readonly opt: unknown;
}

export interface PawsTrainer extends Trainer<PawsTrainState> {
  readonly config: PawsTrainConfig;
  /** h of a batch in evaluation mode (what PAWS-NN compares). */
  readonly embed: (p: Pick<PawsNetwork, 'backbone' | 'head'>, x: BackboneImages) => Tensor<['B', 'D']>;
}

/** The projection head of a PAWS network with this backbone (shared with evaluation). */
export function pawsHeads(net: Backbone<unknown>, config: Pick<PawsTrainConfig, 'hiddenDim' | 'embedDim' | 'predDim'>) {
  const head = bnHead('C', 'H', 'D', tinyLinearInitStd);
  const pred = bnHead('D', 'P', 'D', tinyLinearInitStd);
  const sizes = { C: net.dim, H: config.hiddenDim, D: config.embedDim, P: config.predDim };
  return { head, pred, sizes };
}

export function pawsTrainer(labelled: LabelledImages, overrides: Partial<PawsTrainConfig> = {}): PawsTrainer {
  const config: PawsTrainConfig = { ...defaultPawsConfig, ...overrides };
  const C = config.numClasses;
  if (!Number.isInteger(config.supportPerClass) || config.supportPerClass < 1 || config.supportPerClass > config.labelsPerClass) {
    throw new RangeError(`paws: support images per class must be an integer from 1 to the ${config.labelsPerClass} labels per class, got ${config.supportPerClass}`);
  }
  const byClass: number[][] = Array.from({ length: C }, () => []);
  labelled.labels.forEach((c, i) => byClass[c]?.push(i));
  byClass.forEach((idx, c) => {
    if (idx.length !== config.labelsPerClass) throw new RangeError(`paws: the labelled set has ${idx.length} images of class ${c}, expected ${config.labelsPerClass}`);
  });
  const net = backbone(config.model, config.image);
  const { head, pred, sizes } = pawsHeads(net, config);
  const locals = net.acceptsLocalViews ? config.localViews : 0;
  const crops = pawsCrops({ localViews: locals, ...cropOptions(net, 'paws', config.flip) });
  const supportCrops: MultiCropConfig = { name: 'paws-support', global: [crops.global[0]!], local: [] };
  const objective = paws({ numClasses: C, supportImagesPerClass: config.supportPerClass, multicrop: locals, tau: config.tau, T: config.sharpenT, labelSmoothing: config.labelSmoothing, meMax: config.meMax });
  const optimizer = trainOptimizer(config.optimizer, config.weightDecay, 'paws');
  const src = sourceSize(config.image);
  const B = config.batchSize;
  const S = config.supportPerClass * C;
  const hw = valuesPerImage(config.image);

  const initState = (): PawsTrainState => {
    const [kb, kh, kp] = split(makeKey(config.seed), 3);
    const params = evaluate({ backbone: net.init(kb!), head: head.init(kh!, sizes), pred: pred.init(kp!, sizes) });
    const opt = evaluate(optimizer.init(asTensors(params)) as object) as unknown;
    return { params, opt, step: 0, key: foldIn(makeKey(config.seed), 3) };
  };
  const shape = initState();

  const embed = (p: Pick<PawsNetwork, 'backbone' | 'head'>, x: BackboneImages): Tensor<['B', 'D']> => head.apply(p.head, net.features(p.backbone, x));

  const program = trace(
    (params: PawsNetwork, opt: unknown, images: BackboneImages, viewData: readonly ViewTensors[], support: BackboneImages, supportData: readonly ViewTensors[], lr: Tensor<[]>) => {
      const views = multiCropViews(images, viewData, crops);
      const supportViews = multiCropViews(support, supportData, supportCrops);
      const labels = objective.labels(['S', 'K']);
      const stats: Record<string, Tensor> = {};
      const headStats: Record<string, Tensor> = {};
      let terms: { ploss: Tensor<[]>; meMax: Tensor<[]> } | undefined;
      const [loss, grads] = valueAndGrad((p: PawsNetwork) => {
        // the backbone on views of one size together, the heads on all rows at once (as PAWS' encoder)
        const features = rowsOfViews([...supportViews.global, ...views.global, ...views.local], (x) => net.features(withUpdates(p.backbone, stats), x, trainingContext(stats)));
        const ctx = trainingContext(headStats);
        const h = head.apply(p.head, features, within(ctx, 'head'));
        const z = pred.apply(p.pred, h, within(ctx, 'pred'));
        const r = objective.loss(h, z, labels);
        terms = { ploss: r.ploss, meMax: r.meMax };
        return r.loss;
      })(params);
      const next = optimizer.step(params, grads as PawsNetwork, opt, lr);
      const p = next.params as PawsNetwork;
      return { loss, ploss: terms!.ploss, meMax: terms!.meMax, params: withUpdates({ ...p, backbone: withUpdates(p.backbone, stats) }, headStats), opt: next.state };
    },
    specsOf(shape.params),
    specsOf(shape.opt),
    batchImagesSpec(config.image, B),
    multiCropSpecs(crops, B, src),
    batchImagesSpec(config.image, S, 'support'),
    multiCropSpecs(supportCrops, S, src),
    spec([], [], 'lr'),
  );
  const compiled = compile(program, { backend: config.backend });

  /** Step t's support batch: supportPerClass images of each class, row r of class r mod C. */
  const supportBatch = (key: Key): Float32Array => {
    const picks = byClass.map((idx, c) => permutation(foldIn(key, c), idx.length).subarray(0, config.supportPerClass));
    const out = new Float32Array(S * hw);
    for (let j = 0; j < config.supportPerClass; j++) {
      for (let c = 0; c < C; c++) {
        const i = byClass[c]![picks[c]![j]!]!;
        out.set(labelled.images.subarray(i * hw, (i + 1) * hw), (j * C + c) * hw);
      }
    }
    return out;
  };

  return {
    label: 'PAWS',
    crops,
    config,
    backbone: net,
    compiled,
    embed,
    initState,
    async step(state, images, progress) {
      const { lr } = scheduleAt(state.step, progress, config);
      const sample = sampleMultiCrop(crops, foldIn(foldIn(state.key, 10), state.step), B, src);
      const supportKey = foldIn(foldIn(state.key, 11), state.step);
      const supportSample = sampleMultiCrop(supportCrops, foldIn(supportKey, 0), S, src);
      const out = await compiled.run(state.params, state.opt, images, sample.values, supportBatch(foldIn(supportKey, 1)), supportSample.values, [lr]);
      const loss = out.loss.data[0]!;
      if (!Number.isFinite(loss)) throw new Error(`paws: the loss became ${loss} at step ${state.step}`);
      return {
        loss,
        lr,
        extra: { ploss: out.ploss.data[0]!, meMax: out.meMax.data[0]! },
        state: { params: out.params, opt: out.opt, step: state.step + 1, key: state.key },
      };
    },
    saved: (s) => ({ params: s.params, opt: s.opt }),
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      const restored = unflattenFromTensors({ params: shape.params, opt: shape.opt }, tensors);
      return { ...restored, step, key };
    },
    destroy: () => compiled.destroy(),
  };
}
