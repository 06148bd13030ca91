/** DeeperCluster in the methods table: --out-dim is k, all sub-clusters (a multiple of its 4 super-clusters); it takes no local views. */
import { deeperClusterTrainer, defaultDeeperClusterConfig } from '../deepercluster.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

const superClusters = defaultDeeperClusterConfig.superClusters;

/**
 * DeeperCluster's default --lr per --optimizer: AdamW's is the trainer's own, SGD's main.py's (0.1),
 * LARS' SwAV's (4.8; DeeperCluster has no LARS recipe).
 */
const deeperClusterLr = { adamw: 1e-3, sgd: 0.1, lars: 4.8 } as const;

/** DeeperCluster's entry in the methods table. */
export const deeperClusterMethod: MethodEntry = {
  label: 'DeeperCluster',
  defaults: { batchSize: 64, lr: deeperClusterLr.adamw, outDim: { value: defaultDeeperClusterConfig.clusters, meaning: `DeeperCluster's k, a multiple of its ${superClusters} super-clusters` }, optimizer: { name: 'adamw', lr: deeperClusterLr } },
  flags: ['out-dim', 'cluster-images', 'optimizer'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), optimizer: o.optimizer ?? 'adamw', clusters: o.outDim, superClusters, clusterImages: o.clusterImages ?? defaultDeeperClusterConfig.clusterImages }),
  trainer: (o, train, plannedSteps) =>
    deeperClusterTrainer(train, {
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, backend: o.backend, plannedSteps, optimizer: o.optimizer ?? 'adamw',
      clusters: o.outDim, ...(o.clusterImages === undefined ? {} : { clusterImages: o.clusterImages }),
    }),
};
