/** The features of the first n images of a dataset split under a backbone's parameters, batch by batch on a compiled program. */
import type { Backend } from '../compile/compile.js';
import type { Dataset } from '../data/dataset.js';
import { extractFeatures } from '../eval/baselines.js';
import { extractor } from './evaluate.js';
import { backbone, type ModelName } from './models.js';

export async function datasetFeatures(model: ModelName, params: unknown, data: Dataset, n: number, backend: Backend): Promise<{ features: Float32Array; dim: number }> {
  const net = backbone(model);
  const batch = Math.min(250, n);
  const ex = extractor((p: unknown, x) => net.features(p, x), params, net.dim, batch, backend);
  try {
    return await extractFeatures(ex.fn(params), data.images.subarray(0, n * 784), n, { batchSize: batch, padLastBatch: true });
  } finally {
    ex.destroy();
  }
}
