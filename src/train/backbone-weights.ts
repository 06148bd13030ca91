/**
 * A backbone's parameters from a safetensors file (official state_dict names), checked
 * strictly against the model: `train --init-from`, `eval --weights` and `features --weights`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadSafetensors } from '../io/safetensors/tree.js';
import { SafetensorsError } from '../io/safetensors/format.js';
import { evaluate } from '../runtime/interpret.js';
import { key as makeKey } from '../runtime/prng.js';
import { backbone, MNIST_IMAGES, type ImageShape, type ModelName } from './models.js';
import { parameterPaths } from '../nn/params.js';
import { treeConstants } from '../io/tree-values.js';

/** A file that is absent, not safetensors, made for another model, or missing, extra or mis-shaped tensors: one-line errors naming the file. */
export function readBackboneWeights(file: string, model: ModelName, image: ImageShape = MNIST_IMAGES): unknown {
  if (!existsSync(file)) throw new SafetensorsError(`weights file ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new SafetensorsError(`${file} is a folder, not a safetensors file`);
  const bytes = readFileSync(file);
  try {
    const file = loadSafetensors(bytes);
    if (file.metadata['content'] === 'features') throw new SafetensorsError('the file holds features (shapegrad features), not backbone weights');
    const stored = file.metadata['model'];
    if (stored !== undefined && stored !== model) throw new SafetensorsError(`the file holds ${stored} weights (its metadata), not ${model}: give --model ${stored}`);
    const like = evaluate(backbone(model, image).init(makeKey(0)));
    const expected = parameterPaths(treeConstants(like));
    const names = Object.keys(file.tensors);
    const shared = names.filter((n) => expected.includes(n)).length;
    // Mostly other names: another model's file, where the list of missing tensors would bury the point.
    if (shared < expected.length / 2) {
      const held = names.slice(0, 4).map((n) => `${n} [${file.tensors[n]!.sizes.join(', ')}]`).join(', ') + (names.length > 4 ? `, ... (${names.length} tensors)` : '');
      throw new SafetensorsError(`${shared === 0 ? 'none' : `only ${shared}`} of the ${expected.length} tensors of ${model} are in the file (it holds ${held || 'no tensors'}): not ${model} weights?`);
    }
    return loadSafetensors(bytes, like, { strict: true }).params;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`${file}: ${e.message}`, e.tensor);
    throw e;
  }
}
