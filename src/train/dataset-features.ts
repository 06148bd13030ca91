/** The features of the first n images of a dataset split under a backbone's parameters, batch by batch on a compiled program. */
import type { Backend } from '../compile/compile.js';
import type { Dataset } from '../data/dataset.js';
import { extractFeatures } from '../eval/baselines.js';
import { extractor } from './evaluate.js';
import { backbone, type ModelName } from './models.js';
import { datasetImages, valuesPerImage } from './trainer-images.js';

/** The features [n, dim] of the first n images of `data` under the backbone `model` (sized for the dataset's images) with `params`. */
export async function datasetFeatures(model: ModelName, params: unknown, data: Dataset, n: number, backend: Backend): Promise<{ features: Float32Array; dim: number }> {
  const image = datasetImages(data);
  const net = backbone(model, image);
  const batch = Math.min(250, n);
  const ex = extractor((p: unknown, x) => net.features(p, x), params, net.dim, batch, backend, image);
  try {
    return await extractFeatures(ex.fn(params), data.images.subarray(0, n * valuesPerImage(image)), n, { batchSize: batch, padLastBatch: true });
  } finally {
    ex.destroy();
  }
}
