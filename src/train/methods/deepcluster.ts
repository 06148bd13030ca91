/** DeepCluster in the methods table: --out-dim is k of k-means; it takes no local views. */
import { deepClusterTrainer } from '../deepcluster.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

/** DeepCluster's entry in the methods table. */
export const deepClusterMethod: MethodEntry = {
  label: 'DeepCluster',
  defaults: { batchSize: 64, lr: 1e-3, outDim: { value: 50, meaning: "DeepCluster's k" } },
  flags: ['out-dim', 'cluster-images'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }) }),
  trainer: (o, train, plannedSteps) =>
    deepClusterTrainer(train, {
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, backend: o.backend, plannedSteps,
      clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }),
    }),
};
