/** DeepCluster in the methods table: --out-dim is k of k-means; it takes no local views. */
import { deepClusterTrainer } from '../deepcluster.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

/**
 * DeepCluster's default --lr per --optimizer: AdamW's is the trainer's own, SGD's main.py's (0.05),
 * LARS' SwAV's (4.8; DeepCluster has no LARS recipe).
 */
const deepClusterLr = { adamw: 1e-3, sgd: 0.05, lars: 4.8 } as const;

/** DeepCluster's entry in the methods table. */
export const deepClusterMethod: MethodEntry = {
  label: 'DeepCluster',
  defaults: { batchSize: 64, lr: deepClusterLr.adamw, outDim: { value: 50, meaning: "DeepCluster's k" }, optimizer: { name: 'adamw', lr: deepClusterLr } },
  flags: ['out-dim', 'cluster-images', 'optimizer'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), optimizer: o.optimizer ?? 'adamw', clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }) }),
  trainer: (o, train, plannedSteps) =>
    deepClusterTrainer(train, {
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, backend: o.backend, plannedSteps, optimizer: o.optimizer ?? 'adamw',
      clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }),
    }),
};
