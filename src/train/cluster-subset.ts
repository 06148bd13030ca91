/**
 * The clustered subset of the clustering trainers (DeepCluster,
 * DeeperCluster): a fixed set of training images drawn from the seed, and the
 * program giving their features (backbone and head in evaluation mode, on the
 * unaugmented images) that k-means clusters at every epoch.
 */
import type { Tensor } from '../ir/tensor.js';
import { spec, trace } from '../ir/trace.js';
import type { ValuesOf } from '../runtime/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { foldIn, key as makeKey } from '../runtime/prng.js';
import { compile, type Backend } from '../compile/compile.js';
import type { Dataset } from '../data/dataset.js';
import { gatherImages } from '../data/loader.js';
import { permutation } from '../data/permutation.js';
import type { HeadParams } from './heads.js';
import type { Backbone, BackboneImages } from './models.js';
import { batchImagesSpec } from './trainer-images.js';
import { specsOf } from './step-parts.js';

/** The images clustered at every epoch. */
export interface ClusterSubset {
  /** Their indices in the training split. */
  readonly indices: Uint32Array;
  /** Their true labels (for the NMI of the clustering against them). */
  readonly labels: Uint8Array;
}

/** The first `count` images of a permutation of the training split drawn from the seed. */
export function clusterSubset(train: Dataset, count: number, seed: number): ClusterSubset {
  const indices = Uint32Array.from(permutation(foldIn(makeKey(seed), 21), train.n).slice(0, Math.min(count, train.n)));
  return { indices, labels: Uint8Array.from(indices, (i) => train.labels[i]!) };
}

/** What the feature program reads of a network: its backbone and its head. */
export interface ClusteredNetwork {
  readonly backbone: unknown;
  readonly head: HeadParams<'C', 'H', 'F'>;
}

/** The subset's features [N, F] for a network's values. */
export interface SubsetFeatures {
  /** `params` may hold more than the backbone and head (the trainer's whole network): the program ignores the rest. */
  features(params: ValuesOf<ClusteredNetwork>): Promise<NDArray<readonly ['N', 'F']>>;
  destroy(): void;
}

/** Images per call of the feature program (the last chunk repeats the last image). */
const CHUNK = 250;

/** The compiled feature program over the subset, for networks shaped like `shape`. */
export function subsetFeatures(
  net: Backbone<unknown>,
  head: { apply(p: HeadParams<'C', 'H', 'F'>, x: Tensor<['B', 'C']>): Tensor<['B', 'F']> },
  shape: ValuesOf<ClusteredNetwork>,
  train: Dataset,
  subset: ClusterSubset,
  featureDim: number,
  backend: Backend,
): SubsetFeatures {
  const n = subset.indices.length;
  const program = compile(
    trace((p: ClusteredNetwork, x: BackboneImages) => head.apply(p.head, net.features(p.backbone, x)), specsOf(shape), batchImagesSpec(net.image, CHUNK)),
    { backend },
  );
  return {
    async features(params) {
      const out = new Float64Array(n * featureDim);
      for (let at = 0; at < n; at += CHUNK) {
        const idx = Array.from({ length: CHUNK }, (_, i) => subset.indices[Math.min(at + i, n - 1)]!);
        const f = (await program.run(params, gatherImages(train, idx))).data;
        out.set(f.subarray(0, Math.min(CHUNK, n - at) * featureDim), at * featureDim);
      }
      return { axes: ['N', 'F'], sizes: [n, featureDim], data: out };
    },
    destroy: () => program.destroy(),
  };
}
