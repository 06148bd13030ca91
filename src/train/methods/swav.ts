/** SwAV in the methods table: --out-dim is the number of prototypes; --queue-length and --epoch-queue-starts are main_swav.py's queue. */
import type { Dataset } from '../../data/dataset.js';
import { batchesPerEpoch } from '../../data/loader.js';
import { swavTrainer, type SwavTrainConfig } from '../swav.js';
import { commonConfig, flipConfig, type MethodEntry } from '../method-entry.js';
import type { MethodOptions } from '../methods.js';
import type { OptimizerName } from '../optimizer-choice.js';

/** The settings SwAV and SEER record in run.json. */
export const swavConfig = (o: MethodOptions, optimizer: OptimizerName): Record<string, unknown> => ({
  ...commonConfig(o), ...flipConfig(o), outDim: o.outDim, optimizer, queueLength: o.queueLength ?? 0, epochQueueStarts: o.epochQueueStarts ?? 0,
  ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }),
});

/** SwAV's trainer configuration from the CLI's options (SEER's too, with its own optimiser and settings on top). */
export const swavTrainerConfig = (o: MethodOptions, train: Dataset, plannedSteps: number, optimizer: OptimizerName): Partial<SwavTrainConfig> => ({
  model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, ...flipConfig(o), backend: o.backend, plannedSteps,
  prototypes: o.outDim, optimizer, queueLength: o.queueLength ?? 0, epochQueueStarts: o.epochQueueStarts ?? 0, stepsPerEpoch: batchesPerEpoch(train.n, o.batchSize),
  ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }),
});

/** SwAV's entry in the methods table. */
export const swavMethod: MethodEntry = {
  label: 'SwAV',
  defaults: { batchSize: 64, lr: 3e-3, outDim: { value: 30, meaning: "SwAV's prototypes" }, optimizer: { name: 'adamw', lr: { adamw: 3e-3, lars: 4.8, sgd: 0.03 } } },
  flags: ['out-dim', 'optimizer', 'queue-length', 'epoch-queue-starts', 'flip'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => swavConfig(o, o.optimizer ?? 'adamw'),
  trainer: (o, train, plannedSteps) => swavTrainer(swavTrainerConfig(o, train, plannedSteps, o.optimizer ?? 'adamw')),
};
