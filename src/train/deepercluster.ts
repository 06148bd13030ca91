/**
 * DeeperCluster (Caron et al. 2019) on a small image dataset, in one process.
 * Every `epochSteps` steps the clustered subset's features (evaluation mode,
 * unrotated images) are clustered in two levels (ssl/deeper-cluster.ts:
 * deeperClusterEpoch — k-means into super-clusters, then each super-cluster
 * into its sub-clusters), each image gets a rotation, and the component's
 * targets are the labels: super-class = 4·super-cluster + rotation (predicted
 * by the super-class head), sub-class = the sub-cluster within its
 * super-cluster (predicted by its super-cluster's own sub-class head). Both
 * heads start afresh after each reassignment. The epoch's images are drawn
 * uniformly over the clusters by DeeperCluster's sampler (distUnifTargSampler,
 * one replica). Each step is one compiled call: DeepCluster's crop and flip,
 * each image's rotation, the network in training mode, DeeperCluster's loss
 * (the sum of the two cross-entropies), the optimiser (--optimizer: AdamW by default; SGD as
 * main.py's sgd_optimizer, momentum 0.9 on every parameter; LARS).
 *
 * The official code splits this over processes (one per super-class, each
 * with one rotation and its super-cluster's images); the per-image targets
 * are the same arithmetic (see ssl/deeper-cluster.ts).
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey, split, type Key } from '../runtime/prng.js';
import { compile } from '../compile/compile.js';
import { linear, type LinearParams } from '../nn/linear.js';
import type { Optimizer } from '../optim/optimizer.js';
import { trainOptimizer, type TrainOptimizerState } from './optimizer-choice.js';
import { deeperClusterEpoch, deeperClusterLoss, distUnifTargSampler, type DeeperClusterEpoch } from '../ssl/deeper-cluster.js';
import { resetTopLayer } from '../ssl/deep-cluster.js';
import { rotateEach } from '../ssl/rotate-each.js';
import { ownSubHead } from '../ssl/sub-class-heads.js';
import { normalizedMutualInfo } from '../eval/clustering.js';
import { multiCropSpecs, multiCropViews } from '../data/multi-crop.js';
import type { ViewTensors } from '../data/augment/view.js';
import type { Dataset } from '../data/dataset.js';
import { gatherImages } from '../data/loader.js';
import { unflattenFromTensors } from './checkpoint.js';
import { clusterStep } from './cluster-step.js';
import { clusterCrops, clusterEpochStep, finiteLoss } from './cluster-epoch-step.js';
import { clusterSubset, subsetFeatures } from './cluster-subset.js';
import { defaultDeepClusterConfig, type DeepClusterTrainConfig } from './deepcluster.js';
import { withFreshHeads } from './fresh-heads.js';
import { bnHead, type HeadParams } from './heads.js';
import { backbone, tinyLinearInitStd, type BackboneImages } from './models.js';
import { batchImagesSpec, sourceSize } from './trainer-images.js';
import { asTensors, specsOf } from './step-parts.js';
import type { Trainer, TrainState } from './trainer.js';

export interface DeeperClusterTrainConfig extends DeepClusterTrainConfig {
  /** Super-clusters of the first k-means level (the official nmb_super_clusters); the super-class head has 4 times as many outputs. */
  readonly superClusters: number;
  /** `clusters` is k, all sub-clusters together: each super-cluster is split into clusters / superClusters. */
}

/** At MNIST's scale (docs/decisions.md): 4 super-clusters of 10 sub-clusters, 1280 images clustered (20 steps of 64 per epoch). */
export const defaultDeeperClusterConfig: DeeperClusterTrainConfig = { ...defaultDeepClusterConfig, superClusters: 4, clusters: 40, clusterImages: 1280 };

export interface DeeperClusterNetwork {
  readonly backbone: unknown;
  readonly head: HeadParams<'C', 'H', 'F'>;
  /** Super-class head: 4·superClusters outputs (rotation × super-cluster). */
  readonly super_head: LinearParams<'F', 'KS'>;
  /** The sub-class heads of all super-clusters in a row: superClusters · (clusters / superClusters) outputs. */
  readonly sub_heads: LinearParams<'F', 'KQ'>;
}

type Heads = Pick<ValuesOf<DeeperClusterNetwork>, 'super_head' | 'sub_heads'>;

/** One epoch's draws, one entry per sample (float values, as the checkpoint stores them). */
export interface DeeperClusterSamples {
  /** Positions in the clustered subset. */
  readonly position: NDArray;
  readonly rotation: NDArray;
  readonly superCluster: NDArray;
  readonly superTarget: NDArray;
  readonly subTarget: NDArray;
}

export interface DeeperClusterTrainState extends TrainState {
  readonly params: ValuesOf<DeeperClusterNetwork>;
  readonly opt: ValuesOf<TrainOptimizerState>;
  readonly samples: DeeperClusterSamples;
  /** The last clustering: each subset image's cluster (superCluster·subClusters + subCluster), for the NMI between successive epochs. */
  readonly assignment: NDArray;
}

/** A reassignment: the new state, the epoch it came from, and its NMI against the labels and the previous assignment. */
export interface Reassignment {
  readonly state: DeeperClusterTrainState;
  readonly epoch: DeeperClusterEpoch;
  readonly nmiLabels: number;
  /** Undefined at the first epoch. */
  readonly nmiPrevious: number | undefined;
}

export interface DeeperClusterTrainer extends Trainer<DeeperClusterTrainState> {
  readonly config: DeeperClusterTrainConfig;
  readonly epochSteps: number;
  /** The subset's indices in the training split. */
  readonly subsetIndices: Uint32Array;
  /** The subset's features [N, F] under a network's values (what each epoch clusters). */
  features(params: ValuesOf<DeeperClusterNetwork>): Promise<NDArray<readonly ['N', 'F']>>;
  /** The key an epoch's clustering, rotations and sampler are drawn from. */
  epochKey(state: DeeperClusterTrainState): Key;
  /** Cluster, draw the epoch's samples and start both heads afresh (done by step at each epoch's first step). */
  reassign(state: DeeperClusterTrainState): Promise<Reassignment>;
}

/** Each image's cluster among all k: its super-cluster's block of sub-clusters, then its sub-cluster. */
export function flatClusters(superCluster: ArrayLike<number>, subCluster: ArrayLike<number>, subClustersPerSuper: number): Int32Array {
  return Int32Array.from(superCluster, (s, i) => s * subClustersPerSuper + subCluster[i]!);
}

/** The per-sample values of an epoch at the subset positions the sampler drew. */
export function samplesAt(epoch: DeeperClusterEpoch, positions: ArrayLike<number>): DeeperClusterSamples {
  const at = (values: ArrayLike<number>): NDArray => ({ axes: ['S'], sizes: [positions.length], data: Float64Array.from(positions, (p) => values[p]!) });
  return {
    position: { axes: ['S'], sizes: [positions.length], data: Float64Array.from(positions) },
    rotation: at(epoch.rotation),
    superCluster: at(epoch.clustering.superCluster),
    superTarget: at(epoch.targets.superTarget),
    subTarget: at(epoch.targets.subTarget),
  };
}

export function deeperClusterTrainer(train: Dataset, overrides: Partial<DeeperClusterTrainConfig> = {}): DeeperClusterTrainer {
  const config: DeeperClusterTrainConfig = { ...defaultDeeperClusterConfig, ...overrides };
  const B = config.batchSize;
  const S = config.superClusters;
  const n = Math.min(config.clusterImages, train.n);
  if (!Number.isInteger(S) || S < 1 || config.clusters % S !== 0) throw new RangeError(`deepercluster: k = ${config.clusters} clusters must split evenly into ${S} super-clusters (a multiple of ${S})`);
  if (config.pcaDims > config.featureDim) throw new RangeError(`deepercluster: pcaDims ${config.pcaDims} exceeds the feature width ${config.featureDim}`);
  if (n < config.clusters || n < B) throw new RangeError(`deepercluster: ${n} images to cluster is fewer than the ${config.clusters} clusters or the batch of ${B}`);
  const Q = config.clusters / S;
  const epochSteps = Math.floor(n / B);
  const sampleCount = epochSteps * B;
  const subset = clusterSubset(train, n, config.seed);
  const net = backbone(config.model, config.image);
  const head = bnHead('C', 'H', 'F', tinyLinearInitStd);
  const superHead = linear('F', 'KS');
  const subHeads = linear('F', 'KQ');
  const sizes = { C: net.dim, H: config.hiddenDim, F: config.featureDim, KS: 4 * S, KQ: S * Q };
  // main.py's sgd_optimizer: the heads too with momentum 0.9.
  const optimizer = trainOptimizer(config.optimizer, config.weightDecay) as Optimizer<TrainOptimizerState>;
  const src = sourceSize(config.image);
  const crops = clusterCrops(config.image.side);

  const initState = (): DeeperClusterTrainState => {
    // the backbone's key is DINO's (split(seed, 3)[0]), so "random initialisation" is the same network
    const [kb, kh, ks, kq] = split(makeKey(config.seed), 4);
    const params = evaluate({ backbone: net.init(kb!), head: head.init(kh!, sizes), super_head: superHead.init(ks!, sizes), sub_heads: subHeads.init(kq!, sizes) });
    const opt = evaluate(optimizer.init(asTensors(params)));
    const none: NDArray = { axes: ['S'], sizes: [sampleCount], data: new Float64Array(sampleCount) };
    const samples = { position: none, rotation: none, superCluster: none, superTarget: none, subTarget: none };
    return { params, opt, samples, assignment: { axes: ['N'], sizes: [n], data: new Float64Array(n) }, step: 0, key: foldIn(makeKey(config.seed), 4) };
  };
  const shape = initState();
  const featuresOf = subsetFeatures(net, head, shape.params, train, subset, config.featureDim, config.backend);

  const program = trace(
    (params: DeeperClusterNetwork, opt: TrainOptimizerState, images: BackboneImages, rotation: Tensor<['B']>, superCluster: Tensor<['B']>, superTarget: Tensor<['B']>, subTarget: Tensor<['B']>, viewData: readonly ViewTensors[], lr: Tensor<[]>) => {
      const [view] = multiCropViews(images, viewData, crops).global;
      const rotated: BackboneImages = view!.rank === 4 ? rotateEach(view as Tensor<['B', 'C', 'H', 'W']>, rotation) : rotateEach(view as Tensor<['B', 'H', 'W']>, rotation);
      return clusterStep({ net, head, optimizer }, params, opt, rotated, lr, (p, features) => {
        const superLogits = superHead.apply(p.super_head, features) as Tensor<['B', 'KS']>;
        const subLogits = ownSubHead(subHeads.apply(p.sub_heads, features) as Tensor<['B', 'KQ']>, superCluster, S, 'Q');
        return deeperClusterLoss(subLogits, superLogits, subTarget, superTarget).loss;
      });
    },
    specsOf(shape.params),
    specsOf(shape.opt),
    batchImagesSpec(config.image, B),
    spec(['B'], [B], 'rotation'),
    spec(['B'], [B], 'superCluster'),
    spec(['B'], [B], 'superTarget'),
    spec(['B'], [B], 'subTarget'),
    multiCropSpecs(crops, B, src),
    spec([], [], 'lr'),
  );
  const compiled = compile(program, { backend: config.backend });

  const epochKey = (state: DeeperClusterTrainState): Key => foldIn(state.key, 1000 + state.step / epochSteps);

  const reassign = async (state: DeeperClusterTrainState): Promise<Reassignment> => {
    const [kEpoch, kSampler, kSuper, kSub] = split(epochKey(state), 4) as [Key, Key, Key, Key];
    const epoch = deeperClusterEpoch(kEpoch, await featuresOf.features(state.params), { superClusters: S, clusters: config.clusters, rotnet: true, pcaDims: config.pcaDims });
    const clusters = flatClusters(epoch.clustering.superCluster, epoch.clustering.subCluster, epoch.subClasses);
    const drawn = distUnifTargSampler(sampleCount, clusters, 1, 0, kSampler).epochIndexes;
    const heads: Heads = evaluate({
      super_head: resetTopLayer(kSuper, 'F', 'KS', sizes),
      sub_heads: resetTopLayer(kSub, 'F', 'KQ', sizes),
    });
    const fresh = withFreshHeads(state.params, state.opt, heads);
    return {
      state: { ...state, ...fresh, samples: samplesAt(epoch, drawn), assignment: { axes: ['N'], sizes: [n], data: Float64Array.from(clusters) } },
      epoch,
      nmiLabels: normalizedMutualInfo(clusters, subset.labels),
      nmiPrevious: state.step === 0 ? undefined : normalizedMutualInfo(clusters, state.assignment.data),
    };
  };

  const saved = (s: DeeperClusterTrainState) => ({ params: s.params, opt: s.opt, samples: s.samples, assignment: s.assignment });
  return {
    label: 'DeeperCluster',
    crops,
    config,
    epochSteps,
    subsetIndices: subset.indices,
    backbone: net,
    compiled,
    initState,
    features: (params) => featuresOf.features(params),
    epochKey,
    reassign,
    async step(start, _images, progress) {
      const { inEpoch, fresh, state, lr, crops } = await clusterEpochStep(start, progress, { epochSteps, batchSize: B, side: config.image.side, schedule: config, reassign });
      const batch = (v: NDArray) => v.data.slice(inEpoch * B, (inEpoch + 1) * B);
      const images = gatherImages(train, Array.from(batch(state.samples.position), (p) => subset.indices[p]!));
      const { rotation, superCluster, superTarget, subTarget } = state.samples;
      const out = await compiled.run(state.params, state.opt, images, batch(rotation), batch(superCluster), batch(superTarget), batch(subTarget), crops, [lr]);
      const loss = finiteLoss('deepercluster', out.loss, state.step);
      const nmi = fresh === undefined ? undefined : { nmiLabels: fresh.nmiLabels, ...(fresh.nmiPrevious === undefined ? {} : { nmiPrevious: fresh.nmiPrevious }) };
      return { loss, lr, ...(nmi ? { extra: nmi } : {}), state: { ...state, params: out.params, opt: out.opt, step: state.step + 1 } };
    },
    saved,
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      return { ...unflattenFromTensors(saved(shape), tensors), step, key };
    },
    destroy: () => {
      compiled.destroy();
      featuresOf.destroy();
    },
  };
}
