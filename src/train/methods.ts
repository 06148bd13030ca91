/**
 * The training methods, one table: each entry (its own file under methods/)
 * gives the label, the CLI's defaults and the flags only it reads, the
 * configuration recorded in run.json (what `eval --run` rebuilds the networks
 * from), where its checkpoint keeps the evaluated backbone, and its trainer.
 * The CLI's usage, flag parsing and per-method flag checks, the run loop,
 * --init-from and `eval --run` all read it: adding a method is a new file and
 * a line here.
 */
import type { Backend } from '../compile/compile.js';
import type { Dataset } from '../data/dataset.js';
import type { ImageShape, ModelName } from './models.js';
import type { MethodEntry, MethodFlag } from './method-entry.js';
import type { Trainer, TrainState } from './trainer.js';
import type { OptimizerName } from './optimizer-choice.js';
import { dinoMethod } from './methods/dino.js';
import { swavMethod } from './methods/swav.js';
import { pawsMethod } from './methods/paws.js';
import { deepClusterMethod } from './methods/deepcluster.js';
import { deeperClusterMethod } from './methods/deepercluster.js';
import { seerMethod } from './methods/seer.js';

export { labelledImages } from './methods/paws.js';
export type { MethodEntry, MethodFlag } from './method-entry.js';

/** Every training method, by the name the CLI's --method takes. */
export const methods = {
  dino: dinoMethod,
  swav: swavMethod,
  paws: pawsMethod,
  deepcluster: deepClusterMethod,
  deepercluster: deeperClusterMethod,
  seer: seerMethod,
} as const satisfies Readonly<Record<string, MethodEntry>>;

/** A self-supervised method the trainers implement. */
export type MethodName = keyof typeof methods;
/** Every method the trainers implement, in the table's order. */
export const methodNames = Object.keys(methods) as readonly MethodName[];

/** The options a method is built from (the CLI's flags). */
export interface MethodOptions {
  readonly method: MethodName;
  readonly model: ModelName;
  /** The dataset's images (default MNIST's 1×28×28); run.ts fills it from the training split. */
  readonly image?: ImageShape;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly backend: Backend;
  readonly localViews: number;
  /** DINO: the head's output K; SwAV: the prototypes; DeepCluster: k of k-means. */
  readonly outDim: number;
  readonly teacherTemp: number;
  readonly momentumTeacher: number;
  /** DINO: epochs during which the head's last layer does not learn (main_dino.py's freeze_last_layer; default 0 here, 1 there). */
  readonly freezeLastLayerEpochs?: number;
  readonly labelsPerClass: number;
  /** DeepCluster: training images clustered each epoch (default 6000). */
  readonly clusterImages?: number;
  /** PAWS: support images per class in each step (default min(5, labelsPerClass)). */
  readonly supportPerClass?: number;
  /** SwAV: the official crop scales or milder ones (see swavTrainCrops; default 'mild'). */
  readonly swavCrops?: 'swav' | 'mild';
  /** DINO, SwAV, SEER, PAWS: probability of a horizontal flip in every view (default the recipes' 0.5). */
  readonly flip?: number;
  /** The optimiser of a method that takes --optimizer (default: its entry's). */
  readonly optimizer?: OptimizerName;
  /** SwAV, SEER: main_swav.py's queue_length (default 0: no queue). */
  readonly queueLength?: number;
  /** SwAV, SEER: main_swav.py's epoch_queue_starts (default 0). */
  readonly epochQueueStarts?: number;
}

const byMethod = <T>(f: (entry: MethodEntry) => T): Readonly<Record<MethodName, T>> =>
  Object.fromEntries(methodNames.map((name) => [name, f(methods[name])])) as Record<MethodName, T>;

/** Each method's name in tables and plots. */
export const methodLabels: Readonly<Record<MethodName, string>> = byMethod((m) => m.label);

/** Where the evaluated backbone lies in the tree a checkpoint stores (DINO: the teacher's). */
export const evaluatedBackbone: Readonly<Record<MethodName, string>> = byMethod((m) => m.evaluatedBackbone);

/** The methods that read a method-specific flag. */
export function methodsReading(flag: MethodFlag): MethodName[] {
  return methodNames.filter((name) => methods[name].flags.includes(flag));
}

/** The configuration recorded in run.json and the checkpoint: the options that shape the run. */
export function methodConfig(o: MethodOptions): Record<string, unknown> {
  return methods[o.method].config(o);
}

/** The method's trainer; `plannedSteps` is the span of the schedules when no progress is given. */
export function buildTrainer(o: MethodOptions, train: Dataset, plannedSteps: number): Trainer<TrainState> {
  return methods[o.method].trainer(o, train, plannedSteps);
}
