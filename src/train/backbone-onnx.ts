/** The ONNX model of a backbone's features with fixed weights: input `images` [B, H, W] (grayscale) or [B, C, H, W] (RGB), output `features` [B, C]. */
import { exportOnnx } from '../io/onnx/export.js';
import { treeConstants } from '../io/tree-values.js';
import { trace } from '../ir/trace.js';
import { backbone, MNIST_IMAGES, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec } from './trainer-images.js';

export function backboneOnnx(model: ModelName, params: unknown, batchSize: number, image: ImageShape = MNIST_IMAGES): Uint8Array {
  const net = backbone(model, image);
  const constants = treeConstants(params);
  const program = trace((x: BackboneImages) => net.features(constants, x), batchImagesSpec(image, batchSize));
  return exportOnnx(program, { inputNames: ['images'], outputNames: ['features'] });
}
