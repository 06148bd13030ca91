/**
 * SEER in the methods table: SwAV's trainer on a RegNetY trunk (regnety-tiny by default) with
 * vissl's SEER optimisation, SGD inside LARC, and the SEER paper's weight decay 1e-5.
 */
import { swavTrainer } from '../swav.js';
import type { MethodEntry } from '../method-entry.js';
import { swavConfig, swavTrainerConfig } from './swav.js';

/** SEER's entry in the methods table. */
export const seerMethod: MethodEntry = {
  label: 'SEER',
  defaults: { batchSize: 64, lr: 4.8, outDim: { value: 30, meaning: "SEER's prototypes" }, model: 'regnety-tiny', optimizer: { name: 'lars', lr: { lars: 4.8, adamw: 3e-3, sgd: 0.03 } } },
  flags: ['out-dim', 'optimizer', 'queue-length', 'epoch-queue-starts', 'flip'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => swavConfig(o, o.optimizer ?? 'lars'),
  trainer: (o, train, plannedSteps) => swavTrainer({ ...swavTrainerConfig(o, train, plannedSteps, o.optimizer ?? 'lars'), weightDecay: 1e-5, label: 'SEER' }),
};
