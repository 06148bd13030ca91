/**
 * SwAV on a small image dataset, one traced program per run: multi-crop views
 * of the batch, the backbone (training-mode BatchNorm, views of one size
 * batched) and a projection head on every view, L2-normalised embeddings
 * scored against L2-normalised prototypes, Sinkhorn codes of the assignment
 * views (no gradient), the swapped-prediction loss, AdamW, and the prototypes
 * normalised again after the update (the official code normalises them at the
 * top of every iteration: the same sequence of values). The prototypes get no
 * gradient for the first `freezePrototypesSteps` steps (a scalar input, so no
 * retracing). No queue: batches of 64 images with 2 assignment views give
 * Sinkhorn 64 samples per view, enough for the few prototypes used here (the
 * official queue is for 3000 prototypes and small per-GPU batches).
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
import { swav } from '../ssl/swav.js';
import { adamw, type AdamWState } from '../optim/adamw.js';
import { regularized } from '../optim/optimizer.js';
import { multiCropSpecs, multiCropViews, sampleMultiCrop, swavCrops, type MultiCropConfig } from '../data/multi-crop.js';
import type { ViewTensors } from '../data/augment/view.js';
import { unflattenFromTensors } from './checkpoint.js';
import { backbone, tinyLinearInitStd, type ModelName } from './models.js';
import { asTensors, gate, rowsOfViews, specsOf, trainingContext, scheduleAt, type OptimisationConfig } from './step-parts.js';
import type { Trainer, TrainState } from './trainer.js';

export interface SwavTrainConfig extends OptimisationConfig {
  readonly model: ModelName;
  readonly batchSize: number;
  readonly localViews: number;
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
}

export const defaultSwavConfig: SwavTrainConfig = {
  model: 'xcit-tiny',
  batchSize: 64,
  localViews: 2,
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
  seed: 0,
  backend: 'wasm',
};

/**
 * SwAV's views for 28×28 digits. 'swav' is the official recipe scaled to 28 (global crops from
 * 14% of the image, local ones from 5–14%: on MNIST most of those show background or a stroke);
 * 'mild' keeps its colour distortion and blur but takes DINO's scales (0.4–1 and 0.05–0.4).
 */
export function swavTrainCrops(kind: 'swav' | 'mild', localViews: number): MultiCropConfig {
  const base = swavCrops({ localViews });
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
  readonly opt: ValuesOf<AdamWState>;
}

export interface SwavTrainer extends Trainer<SwavTrainState> {
  readonly config: SwavTrainConfig;
}

export function swavTrainer(overrides: Partial<SwavTrainConfig> = {}): SwavTrainer {
  const config: SwavTrainConfig = { ...defaultSwavConfig, ...overrides };
  const net = backbone(config.model);
  const head = bnHead('C', 'H', 'D', tinyLinearInitStd);
  const protoLayer = linear('D', 'K', { bias: false });
  const locals = net.acceptsLocalViews ? config.localViews : 0;
  const crops = swavTrainCrops(config.crops, locals);
  const objective = swav({ nmbCrops: locals > 0 ? [2, locals] : [2], temperature: config.temperature, epsilon: config.epsilon, sinkhornIterations: config.sinkhornIterations });
  const optimizer = adamw({ weightDecay: config.weightDecay, decay: regularized });
  const src = { height: 28, width: 28 };
  const B = config.batchSize;
  const sizes = { C: net.dim, H: config.hiddenDim, D: config.embedDim, K: config.prototypes };

  const initParams = (): ValuesOf<SwavNetwork> => {
    // the backbone's key is DINO's (split(seed, 3)[0]), so "random initialisation" is the same network
    const [kb, kh, kp] = split(makeKey(config.seed), 3);
    const w = (protoLayer.init(kp!, sizes) as { weight: Tensor<['K', 'D']> }).weight;
    return evaluate({ backbone: net.init(kb!), head: head.init(kh!, sizes), prototypes: l2Normalize(w, 'D') });
  };
  const initState = (): SwavTrainState => {
    const params = initParams();
    const opt = evaluate(optimizer.init(asTensors(params)));
    return { params, opt, step: 0, key: foldIn(makeKey(config.seed), 3) };
  };
  const shape = initState();

  // the backbone on views of one size together (as MultiCropWrapper), the head on all rows at once (as SwAV's ResNet)
  const embed = (p: SwavNetwork, views: readonly Tensor<['B', 'H', 'W']>[], stats: Record<string, Tensor>, headStats: Record<string, Tensor>): Tensor<['B', 'D']> => {
    const features = rowsOfViews(views, (x) => net.features(withUpdates(p.backbone, stats), x, trainingContext(stats)));
    return l2Normalize(head.apply(p.head, features, within(trainingContext(headStats), 'head')), 'D');
  };

  const program = trace(
    (params: SwavNetwork, opt: AdamWState, images: Tensor<['B', 'H', 'W']>, viewData: readonly ViewTensors[], lr: Tensor<[]>, prototypesLearn: Tensor<[]>) => {
      const views = multiCropViews(images, viewData, crops);
      const stats: Record<string, Tensor> = {};
      const headStats: Record<string, Tensor> = {};
      const [loss, grads] = valueAndGrad((p: SwavNetwork) => {
        const embedding = embed(p, [...views.global, ...views.local], stats, headStats);
        return objective.loss({ embedding, prototypes: p.prototypes }, objective.init('D', config.embedDim), Number.MAX_SAFE_INTEGER).loss;
      })(params);
      const g = grads as SwavNetwork;
      const next = optimizer.step(params, { ...g, prototypes: gate(g.prototypes, prototypesLearn) }, opt, lr);
      const p = next.params as SwavNetwork;
      const params_: SwavNetwork = { ...withUpdates(p, headStats), backbone: withUpdates(p.backbone, stats), prototypes: stopGradient(l2Normalize(p.prototypes, 'D')) };
      return { loss, params: params_, opt: next.state };
    },
    specsOf(shape.params),
    specsOf(shape.opt),
    spec(['B', 'H', 'W'], [B, 28, 28], 'images'),
    multiCropSpecs(crops, B, src),
    spec([], [], 'lr'),
    spec([], [], 'prototypesLearn'),
  );
  const compiled = compile(program, { backend: config.backend });

  return {
    label: 'SwAV',
    config,
    backbone: net,
    compiled,
    initState,
    async step(state, images, progress) {
      const { lr } = scheduleAt(state.step, progress, config);
      const sample = sampleMultiCrop(crops, foldIn(foldIn(state.key, 10), state.step), B, src);
      const out = await compiled.run(state.params, state.opt, images, sample.values, [lr], [state.step < config.freezePrototypesSteps ? 0 : 1]);
      const loss = out.loss.data[0]!;
      if (!Number.isFinite(loss)) throw new Error(`swav: the loss became ${loss} at step ${state.step}`);
      return { loss, lr, state: { params: out.params, opt: out.opt, step: state.step + 1, key: state.key } };
    },
    saved: (s) => ({ params: s.params, opt: s.opt }),
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      const restored = unflattenFromTensors({ params: shape.params, opt: shape.opt }, tensors);
      return { ...restored, step, key };
    },
    destroy: () => compiled.destroy(),
  };
}
