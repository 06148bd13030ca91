/**
 * The step of the clustering trainers (DeepCluster, DeeperCluster) inside
 * their traced programs: backbone and head in training mode on the view,
 * the method's classifier loss on the head's features, the optimiser step (AdamW, SGD or LARS), and the
 * BatchNorm running statistics the forward pass emitted written back.
 */
import type { Tensor } from '../ir/tensor.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { within } from '../nn/layer.js';
import { withUpdates } from '../nn/params.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { TrainOptimizerState } from './optimizer-choice.js';
import type { ClusteredNetwork } from './cluster-subset.js';
import type { Head } from './heads.js';
import type { Backbone, BackboneImages } from './models.js';
import { trainingContext } from './step-parts.js';

/** What the step is made of: the backbone, the head whose features the classifiers read, the optimizer. */
export interface ClusterStepParts {
  readonly net: Backbone<unknown>;
  readonly head: Head<'C', 'H', 'F'>;
  readonly optimizer: Optimizer<TrainOptimizerState>;
}

/** One step on `view`; `lossOf` scores the classifiers of `p` on the features [B, F]. */
export function clusterStep<P extends ClusteredNetwork>(
  parts: ClusterStepParts,
  params: P,
  opt: TrainOptimizerState,
  view: BackboneImages,
  lr: Tensor<[]>,
  lossOf: (p: P, features: Tensor<['B', 'F']>) => Tensor<[]>,
): { loss: Tensor<[]>; params: P; opt: TrainOptimizerState } {
  const stats: Record<string, Tensor> = {};
  const headStats: Record<string, Tensor> = {};
  const [loss, grads] = valueAndGrad((p: P) => {
    const features = parts.net.features(p.backbone, view, trainingContext(stats));
    return lossOf(p, parts.head.apply(p.head, features, within(trainingContext(headStats), 'head')));
  })(params);
  const next = parts.optimizer.step(params, grads, opt, lr);
  return { loss, params: { ...withUpdates(next.params, headStats), backbone: withUpdates(next.params.backbone, stats) }, opt: next.state };
}
