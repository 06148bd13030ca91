/**
 * Where a step of the clustering trainers (DeepCluster, DeeperCluster) falls
 * in its epoch, and what the host prepares for it: the reassignment at the
 * epoch's first step, the learning rate, and the step's crop and flip.
 */
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn } from '../runtime/prng.js';
import { sampleMultiCrop, type MultiCropConfig } from '../data/multi-crop.js';
import { scheduleAt, type OptimisationConfig } from './step-parts.js';
import type { TrainState } from './trainer.js';

/** One view per image of this side: RandomResizedCrop (0.4–1) and a horizontal flip, as the official training transform (no colour jitter there). */
export const clusterCrops = (side: number): MultiCropConfig => ({ name: 'deepcluster', global: [{ size: side, scale: [0.4, 1], flip: 0.5 }], local: [] });

/** clusterCrops at MNIST's 28². */
export const deepClusterCrops: MultiCropConfig = clusterCrops(28);

/** A step's place in its epoch and its host-side inputs. */
export interface ClusterEpochStep<S, R> {
  /** The step's index within the epoch: its batch is samples [inEpoch·B, (inEpoch+1)·B). */
  readonly inEpoch: number;
  /** The reassignment made at this step (the epoch's first), if any. */
  readonly fresh: R | undefined;
  /** The state the step starts from (after the reassignment). */
  readonly state: S;
  readonly lr: number;
  /** The crop and flip's view data. */
  readonly crops: ReturnType<typeof sampleMultiCrop>['values'];
}

/** The epoch step from `start`: reassigns first when it opens an epoch. */
export async function clusterEpochStep<S extends TrainState, R extends { readonly state: S }>(
  start: S,
  progress: number | undefined,
  o: { readonly epochSteps: number; readonly batchSize: number; readonly side: number; readonly schedule: Pick<OptimisationConfig, 'lr' | 'minLr' | 'warmupSteps' | 'plannedSteps'>; readonly reassign: (s: S) => Promise<R> },
): Promise<ClusterEpochStep<S, R>> {
  const inEpoch = start.step % o.epochSteps;
  const fresh = inEpoch === 0 ? await o.reassign(start) : undefined;
  const state = fresh?.state ?? start;
  const { lr } = scheduleAt(state.step, progress, o.schedule);
  const crops = sampleMultiCrop(clusterCrops(o.side), foldIn(foldIn(state.key, 10), state.step), o.batchSize, { height: o.side, width: o.side }).values;
  return { inEpoch, fresh, state, lr, crops };
}

/** The step's loss, refused when it is not finite. */
export function finiteLoss(method: string, loss: NDArray, step: number): number {
  const value = loss.data[0]!;
  if (!Number.isFinite(value)) throw new Error(`${method}: the loss became ${value} at step ${step}`);
  return value;
}
