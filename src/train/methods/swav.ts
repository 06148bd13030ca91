/** SwAV in the methods table: --out-dim is the number of prototypes. */
import { swavTrainer } from '../swav.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

/** SwAV's entry in the methods table. */
export const swavMethod: MethodEntry = {
  label: 'SwAV',
  defaults: { batchSize: 64, lr: 3e-3, outDim: { value: 30, meaning: "SwAV's prototypes" } },
  flags: ['out-dim'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), outDim: o.outDim, ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }) }),
  trainer: (o, _train, plannedSteps) =>
    swavTrainer({
      model: o.model, batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, plannedSteps,
      prototypes: o.outDim, ...(o.swavCrops === undefined ? {} : { crops: o.swavCrops }),
    }),
};
