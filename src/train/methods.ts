/**
 * The methods the training command runs, behind one Trainer interface: how
 * each is built from the run's options, which sub-tree of its checkpoint holds
 * the evaluated backbone, and the configuration recorded in run.json (what
 * `eval --run` rebuilds the networks from).
 */
import type { Backend } from '../compile/compile.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { Key } from '../runtime/prng.js';
import { subset, type Dataset } from '../data/dataset.js';
import { unflattenFromTensors } from './checkpoint.js';
import { dinoTrainer, type DinoState } from './dino.js';
import { swavTrainer } from './swav.js';
import { labelledKey, labelledSubset, pawsTrainer } from './paws.js';
import { deepClusterTrainer } from './deepcluster.js';
import type { ModelName } from './models.js';
import type { MethodName, Trainer, TrainState } from './trainer.js';

/** The options a method is built from (the CLI's flags). */
export interface MethodOptions {
  readonly method: MethodName;
  readonly model: ModelName;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly backend: Backend;
  readonly localViews: number;
  /** DINO: the head's output K; SwAV: the prototypes; DeepCluster: k of k-means. */
  readonly outDim: number;
  readonly teacherTemp: number;
  readonly momentumTeacher: number;
  readonly labelsPerClass: number;
  /** DeepCluster: training images clustered each epoch (default 6000). */
  readonly clusterImages?: number;
  /** PAWS: support images per class in each step (default min(5, labelsPerClass)). */
  readonly supportPerClass?: number;
  /** SwAV: the official crop scales or milder ones (see swavTrainCrops; default 'mild'). */
  readonly swavCrops?: 'swav' | 'mild';
}

/** Each method's name in tables and plots. */
export const methodLabels: Readonly<Record<MethodName, string>> = { dino: 'DINO', swav: 'SwAV', paws: 'PAWS', deepcluster: 'DeepCluster' };

/** Where the evaluated backbone lies in the tree a checkpoint stores (DINO: the teacher's). */
export const evaluatedBackbone: Readonly<Record<MethodName, string>> = { dino: 'teacher.backbone', swav: 'params.backbone', paws: 'params.backbone', deepcluster: 'params.backbone' };

/** The configuration recorded in run.json and the checkpoint: the options that shape the run. */
export function methodConfig(o: MethodOptions): Record<string, unknown> {
  const common = { batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend };
  switch (o.method) {
    case 'dino':
      return { ...common, outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher };
    case 'swav':
      return { ...common, outDim: o.outDim, ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }) };
    case 'paws':
      return { ...common, labelsPerClass: o.labelsPerClass, ...(o.supportPerClass === undefined ? {} : { supportPerClass: o.supportPerClass }) };
    case 'deepcluster':
      return { ...common, clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }) };
  }
}

/** PAWS' labelled images of a run: labelsPerClass per class of the training split, drawn from the seed. */
export function labelledImages(train: Dataset, labelsPerClass: number, seed: number): Dataset {
  return subset(train, Array.from(labelledSubset(train.labels, 10, labelsPerClass, labelledKey(seed))));
}

function dinoAdapter(o: MethodOptions, plannedSteps: number, freezeLastLayerSteps: number): Trainer<TrainState> {
  const t = dinoTrainer({ model: o.model, batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher, plannedSteps, freezeLastLayerSteps });
  const shape = t.initState();
  const saved = (s: DinoState) => ({ student: s.student, teacher: s.teacher, center: s.center, opt: s.opt });
  const adapter: Trainer<DinoState> = {
    label: 'DINO',
    backbone: t.backbone,
    compiled: t.compiled,
    initState: () => t.initState(),
    step: (s, images, progress) => t.step(s, images, progress),
    saved,
    restore(tensors: Readonly<Record<string, NDArray>>, step: number, key: Key) {
      return { ...(unflattenFromTensors(saved(shape), tensors) as ReturnType<typeof saved>), step, key };
    },
    destroy: () => t.destroy(),
  };
  return adapter;
}

/** The method's trainer; `plannedSteps` is the span of the schedules when no progress is given. */
export function buildTrainer(o: MethodOptions, train: Dataset, plannedSteps: number): Trainer<TrainState> {
  const common = { model: o.model, batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, plannedSteps };
  switch (o.method) {
    case 'dino':
      return dinoAdapter(o, plannedSteps, Math.ceil(train.n / o.batchSize));
    case 'swav':
      return swavTrainer({ ...common, prototypes: o.outDim, ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }) });
    case 'paws': {
      const labelled = labelledImages(train, o.labelsPerClass, o.seed);
      return pawsTrainer({ images: labelled.images, labels: labelled.labels }, { ...common, labelsPerClass: o.labelsPerClass, supportPerClass: o.supportPerClass ?? Math.min(5, o.labelsPerClass) });
    }
    case 'deepcluster':
      return deepClusterTrainer(train, { model: o.model, batchSize: o.batchSize, lr: o.lr, seed: o.seed, backend: o.backend, plannedSteps, clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }) });
  }
}
