/**
 * DeepCluster on a small image dataset. Every `epochSteps` steps (a
 * DeepCluster epoch over a fixed subset of `clusterImages` training images):
 * the subset's features (backbone and head in evaluation mode) are
 * PCA-whitened, L2-normalised and clustered by k-means into pseudo-labels; a
 * fresh top layer replaces the old one (its optimizer state reset, as the
 * official code builds a new optimizer for it); the uniform sampler draws the
 * epoch's images evenly over the non-empty clusters (ssl/deep-cluster.ts:
 * deepClusterEpoch). Each step is one compiled call: a random resized crop
 * and flip of the batch, the network in training mode, cross-entropy against
 * the pseudo-labels, the optimiser (--optimizer: AdamW by default; SGD as main.py, the top layer
 * without momentum as its own torch.optim.SGD; LARS).
 *
 * Decisions: DeepCluster draws its own batches (the run loop's batch is not
 * used), by image id as the paper describes (itemsByImageId; the official
 * loader looks the ids up by position, which ssl/deep-cluster.ts reproduces
 * for the golden file); AdamW by default instead of SGD with lr 0.05, as the other
 * trainers here, because it trains the tiny networks in minutes (--optimizer sgd gives main.py's).
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile } from '../compile/compile.js';
import { crossEntropy } from '../ops/losses.js';
import { linear, type LinearParams } from '../nn/linear.js';
import type { Optimizer } from '../optim/optimizer.js';
import { trainOptimizer, type OptimizerName, type TrainOptimizerState } from './optimizer-choice.js';
import { deepClusterEpoch, initialDeepClusterState } from '../ssl/deep-cluster.js';
import { itemsByImageId } from '../ssl/uniform-sampler.js';
import { normalizedMutualInfo } from '../eval/clustering.js';
import { multiCropSpecs, multiCropViews, type MultiCropConfig } from '../data/multi-crop.js';
import type { ViewTensors } from '../data/augment/view.js';
import type { Dataset } from '../data/dataset.js';
import { gatherImages } from '../data/loader.js';
import { unflattenFromTensors } from './checkpoint.js';
import { clusterStep } from './cluster-step.js';
import { clusterCrops, clusterEpochStep, finiteLoss } from './cluster-epoch-step.js';
import { bnHead, type HeadParams } from './heads.js';
import { backbone, MNIST_IMAGES, tinyLinearInitStd, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec, sourceSize } from './trainer-images.js';
import { asTensors, specsOf, type OptimisationConfig } from './step-parts.js';
import { clusterSubset, subsetFeatures as clusterFeatures } from './cluster-subset.js';
import { withFreshHeads } from './fresh-heads.js';
import type { Trainer, TrainState } from './trainer.js';

export interface DeepClusterTrainConfig extends OptimisationConfig {
  readonly model: ModelName;
  /** The images: channels (1 or 3) and side (default MNIST's 1×28×28). */
  readonly image: ImageShape;
  /** --optimizer: 'adamw' (default), 'sgd' (main.py's: momentum 0.9, the top layer without) or 'lars'; weightDecay on every parameter with SGD and LARS, not on biases and one-axis parameters with AdamW. */
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  /** k of k-means (the top layer's outputs). */
  readonly clusters: number;
  /** Training images clustered each epoch (a fixed subset drawn from the seed). */
  readonly clusterImages: number;
  /** Width of the head's output, the features that are clustered. */
  readonly featureDim: number;
  readonly hiddenDim: number;
  /** PCA-whitening dimension (at most featureDim). */
  readonly pcaDims: number;
}

export const defaultDeepClusterConfig: DeepClusterTrainConfig = {
  model: 'xcit-tiny',
  image: MNIST_IMAGES,
  optimizer: 'adamw',
  batchSize: 64,
  clusters: 50,
  clusterImages: 6000,
  featureDim: 64,
  hiddenDim: 128,
  pcaDims: 32,
  lr: 1e-3,
  minLr: 1e-5,
  weightDecay: 1e-5,
  warmupSteps: 20,
  plannedSteps: 400,
  seed: 0,
  backend: 'wasm',
};

export { deepClusterCrops } from './cluster-epoch-step.js';

export interface DeepClusterNetwork {
  readonly backbone: unknown;
  readonly head: HeadParams<'C', 'H', 'F'>;
  readonly top_layer: LinearParams<'F', 'K'>;
}

export interface DeepClusterTrainState extends TrainState {
  readonly params: ValuesOf<DeepClusterNetwork>;
  readonly opt: ValuesOf<TrainOptimizerState>;
  /** The epoch's samples: subset positions [epochSteps · B] and their pseudo-labels, as float values. */
  readonly samples: NDArray;
  readonly pseudoLabels: NDArray;
}

export interface DeepClusterTrainer extends Trainer<DeepClusterTrainState> {
  readonly config: DeepClusterTrainConfig;
  readonly epochSteps: number;
  /** The subset's indices in the training split. */
  readonly subsetIndices: Uint32Array;
}

export function deepClusterTrainer(train: Dataset, overrides: Partial<DeepClusterTrainConfig> = {}): DeepClusterTrainer {
  const config: DeepClusterTrainConfig = { ...defaultDeepClusterConfig, ...overrides };
  const B = config.batchSize;
  const n = Math.min(config.clusterImages, train.n);
  if (config.pcaDims > config.featureDim) throw new RangeError(`deepcluster: pcaDims ${config.pcaDims} exceeds the feature width ${config.featureDim}`);
  if (n < config.clusters || n < B) throw new RangeError(`deepcluster: ${n} images to cluster is fewer than the ${config.clusters} clusters or the batch of ${B}`);
  const epochSteps = Math.floor(n / B);
  const subset = clusterSubset(train, n, config.seed);
  const subsetIndices = subset.indices;
  const net = backbone(config.model, config.image);
  const head = bnHead('C', 'H', 'F', tinyLinearInitStd);
  const top = linear('F', 'K');
  const sizes = { C: net.dim, H: config.hiddenDim, F: config.featureDim, K: config.clusters };
  // main.py's top layer has its own SGD, without momentum.
  const optimizer = trainOptimizer(config.optimizer, config.weightDecay, 'swav', (path) => path.startsWith('top_layer.')) as Optimizer<TrainOptimizerState>;
  const src = sourceSize(config.image);
  const crops = clusterCrops(config.image.side);

  const initState = (): DeepClusterTrainState => {
    // the backbone's key is DINO's (split(seed, 3)[0]), so "random initialisation" is the same network
    const [kb, kh, kt] = split(makeKey(config.seed), 3);
    const params = evaluate({ backbone: net.init(kb!), head: head.init(kh!, sizes), top_layer: top.init(kt!, sizes) });
    const opt = evaluate(optimizer.init(asTensors(params)));
    const none = { axes: ['S'], sizes: [epochSteps * B], data: new Float64Array(epochSteps * B) };
    return { params, opt, samples: none, pseudoLabels: none, step: 0, key: foldIn(makeKey(config.seed), 4) };
  };
  const shape = initState();

  const subsetFeatures = clusterFeatures(net, head, shape.params, train, subset, config.featureDim, config.backend);

  const program = trace(
    (params: DeepClusterNetwork, opt: TrainOptimizerState, images: BackboneImages, labels: Tensor<['B']>, viewData: readonly ViewTensors[], lr: Tensor<[]>) => {
      const [view] = multiCropViews(images, viewData, crops).global;
      return clusterStep({ net, head, optimizer }, params, opt, view!, lr, (p, features) => crossEntropy(top.apply(p.top_layer, features) as Tensor<['B', 'K']>, labels, 'K'));
    },
    specsOf(shape.params),
    specsOf(shape.opt),
    batchImagesSpec(config.image, B),
    spec(['B'], [B], 'labels'),
    multiCropSpecs(crops, B, src),
    spec([], [], 'lr'),
  );
  const compiled = compile(program, { backend: config.backend });

  /** A DeepCluster epoch: cluster the subset's features, draw the samples, reset the top layer and its optimizer state. */
  const recluster = async (state: DeepClusterTrainState): Promise<{ state: DeepClusterTrainState; nmi: number }> => {
    const epoch = state.step / epochSteps;
    const features = await subsetFeatures.features(state.params);
    const r = deepClusterEpoch(foldIn(state.key, 1000 + epoch), initialDeepClusterState, features, { clusters: config.clusters, pcaDims: config.pcaDims, reassign: (epochSteps * B) / n }, { features: 'F', classes: 'K' });
    const items = itemsByImageId(r.dataset, r.sampler.indexes);
    const { params, opt } = withFreshHeads(state.params, state.opt, { top_layer: evaluate(r.topLayer) });
    const sampleCount = epochSteps * B;
    return {
      state: {
        ...state,
        params,
        opt,
        samples: { axes: ['S'], sizes: [sampleCount], data: Float64Array.from(items.imageIndex.subarray(0, sampleCount)) },
        pseudoLabels: { axes: ['S'], sizes: [sampleCount], data: Float64Array.from(items.pseudolabel.subarray(0, sampleCount)) },
      },
      nmi: normalizedMutualInfo(r.clustering.assign, subset.labels),
    };
  };

  return {
    label: 'DeepCluster',
    crops,
    config,
    epochSteps,
    subsetIndices,
    backbone: net,
    compiled,
    initState,
    async step(start, _images, progress) {
      const { inEpoch, fresh, state, lr, crops } = await clusterEpochStep(start, progress, { epochSteps, batchSize: B, side: config.image.side, schedule: config, reassign: recluster });
      const positions = state.samples.data.subarray(inEpoch * B, (inEpoch + 1) * B);
      const images = gatherImages(train, Array.from(positions, (p) => subsetIndices[p]!));
      const labels = state.pseudoLabels.data.slice(inEpoch * B, (inEpoch + 1) * B);
      const out = await compiled.run(state.params, state.opt, images, labels, crops, [lr]);
      return {
        loss: finiteLoss('deepcluster', out.loss, state.step),
        lr,
        ...(fresh ? { extra: { nmiLabels: fresh.nmi } } : {}),
        state: { ...state, params: out.params, opt: out.opt, step: state.step + 1 },
      };
    },
    saved: (s) => ({ params: s.params, opt: s.opt, samples: s.samples, pseudoLabels: s.pseudoLabels }),
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      const restored = unflattenFromTensors({ params: shape.params, opt: shape.opt, samples: shape.samples, pseudoLabels: shape.pseudoLabels }, tensors);
      return { ...restored, step, key };
    },
    destroy: () => {
      compiled.destroy();
      subsetFeatures.destroy();
    },
  };
}

