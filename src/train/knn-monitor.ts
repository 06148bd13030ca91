/**
 * k-NN accuracy during training: the evaluated backbone's features of a small
 * memory bank and query set (the first images of each split), measured at
 * checkpoints so that a run shows its accuracy over time, not only at the end.
 * The final table (evaluate.ts) uses the full sets.
 */
import type { Backend } from '../compile/compile.js';
import { subset, type Dataset } from '../data/dataset.js';
import { extractFeatures } from '../eval/baselines.js';
import { knnClassify } from '../eval/knn.js';
import { extractor } from './evaluate.js';
import type { Backbone } from './models.js';

export interface KnnMonitor {
  /** k-NN top-1 (%) of the backbone with these parameters. */
  measure(params: unknown): Promise<number>;
  readonly bank: number;
  readonly queries: number;
  destroy(): void;
}

export interface KnnMonitorOptions {
  readonly bank: number;
  readonly queries: number;
  readonly backend: Backend;
}

const firstN = (ds: Dataset, n: number): Dataset => (n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i)));

export function knnMonitor(net: Backbone<unknown>, like: unknown, train: Dataset, test: Dataset, options: KnnMonitorOptions): KnnMonitor {
  const E = 250;
  const bank = firstN(train, options.bank);
  const queries = firstN(test, options.queries);
  const features = extractor((p: unknown, x) => net.features(p, x), like, net.dim, E, options.backend, net.image);
  return {
    bank: bank.n,
    queries: queries.n,
    async measure(params) {
      const fn = features.fn(params);
      const b = await extractFeatures(fn, bank.images, bank.n, { batchSize: E });
      const q = await extractFeatures(fn, queries.images, queries.n, { batchSize: E });
      return (await knnClassify({ features: b.features, labels: bank.labels }, { features: q.features, labels: queries.labels }, { threads: 1 })).top1;
    },
    destroy: () => features.destroy(),
  };
}
