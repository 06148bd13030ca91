/** The ONNX model of a backbone's features with fixed weights: input `images` [B, 28, 28], output `features` [B, C]. */
import { exportOnnx } from '../io/onnx/export.js';
import { treeConstants } from '../io/tree-values.js';
import { spec, trace } from '../ir/trace.js';
import type { Tensor } from '../ir/tensor.js';
import { backbone, type ModelName } from './models.js';

export function backboneOnnx(model: ModelName, params: unknown, batchSize: number): Uint8Array {
  const net = backbone(model);
  const constants = treeConstants(params);
  const program = trace((x: Tensor<['B', 'H', 'W']>) => net.features(constants, x), spec(['B', 'H', 'W'], [batchSize, 28, 28], 'images'));
  return exportOnnx(program, { inputNames: ['images'], outputNames: ['features'] });
}
