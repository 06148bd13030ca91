/** DeeperCluster in the methods table: --out-dim is k, all sub-clusters (a multiple of its 4 super-clusters); it takes no local views. */
import { deeperClusterTrainer, defaultDeeperClusterConfig } from '../deepercluster.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

const superClusters = defaultDeeperClusterConfig.superClusters;

/** DeeperCluster's entry in the methods table. */
export const deeperClusterMethod: MethodEntry = {
  label: 'DeeperCluster',
  defaults: { batchSize: 64, lr: 1e-3, outDim: { value: defaultDeeperClusterConfig.clusters, meaning: `DeeperCluster's k, a multiple of its ${superClusters} super-clusters` } },
  flags: ['out-dim', 'cluster-images'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), clusters: o.outDim, superClusters, clusterImages: o.clusterImages ?? defaultDeeperClusterConfig.clusterImages }),
  trainer: (o, train, plannedSteps) =>
    deeperClusterTrainer(train, {
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, backend: o.backend, plannedSteps,
      clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }),
    }),
};
