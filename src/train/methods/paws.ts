/** PAWS in the methods table: its labelled images are drawn from the training split by the seed. */
import { subset, type Dataset } from '../../data/dataset.js';
import { labelledKey, labelledSubset, pawsTrainer } from '../paws.js';
import { commonConfig, flipConfig, type MethodEntry } from '../method-entry.js';

/** PAWS' labelled images of a run: labelsPerClass per class of the training split, drawn from the seed. */
export function labelledImages(train: Dataset, labelsPerClass: number, seed: number): Dataset {
  return subset(train, Array.from(labelledSubset(train.labels, train.numClasses, labelsPerClass, labelledKey(seed))));
}

/** PAWS' entry in the methods table. */
export const pawsMethod: MethodEntry = {
  label: 'PAWS',
  defaults: { batchSize: 32, lr: 3e-3, optimizer: { name: 'adamw', lr: { adamw: 3e-3, lars: 4.8, sgd: 0.03 } } },
  flags: ['labels-per-class', 'optimizer', 'flip'],
  evaluatedBackbone: 'params.backbone',
  initialBackbones: ['params.backbone'],
  config: (o) => ({ ...commonConfig(o), ...flipConfig(o), optimizer: o.optimizer ?? 'adamw', labelsPerClass: o.labelsPerClass, ...(o.supportPerClass === undefined ? {} : { supportPerClass: o.supportPerClass }) }),
  trainer(o, train, plannedSteps) {
    const labelled = labelledImages(train, o.labelsPerClass, o.seed);
    return pawsTrainer(
      { images: labelled.images, labels: labelled.labels },
      { model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, ...flipConfig(o), backend: o.backend, plannedSteps, numClasses: train.numClasses, labelsPerClass: o.labelsPerClass, supportPerClass: o.supportPerClass ?? Math.min(5, o.labelsPerClass), optimizer: o.optimizer ?? 'adamw' },
    );
  },
};
