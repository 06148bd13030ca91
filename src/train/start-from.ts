/**
 * `train --init-from`: a method's initial state with its backbone(s) replaced by given weights
 * (DINO: the student's and the teacher's, as the official code copies the student into the
 * teacher at the start; the other methods: params.backbone). Heads, optimiser state and keys
 * stay as initialised.
 */
import type { NDArray } from '../runtime/ndarray.js';
import { isNDArray } from '../io/tree-values.js';
import { mapTree } from '../ir/tree.js';
import { setPath } from '../nn/params.js';
import { flattenToTensors } from './checkpoint.js';
import type { Trainer, TrainState } from './trainer.js';
import { methods, type MethodName } from './methods.js';


// Each place gets its own buffers: the student and the teacher must not share storage.
const copied = (tree: unknown): unknown => mapTree(tree, isNDArray, (x: NDArray) => ({ axes: [...x.axes], sizes: [...x.sizes], data: Float64Array.from(x.data) }));

export function startFrom(trainer: Trainer<TrainState>, state: TrainState, method: MethodName, weights: unknown): TrainState {
  const saved = methods[method].initialBackbones.reduce((tree, path) => setPath(tree, path, copied(weights)), trainer.saved(state) as unknown);
  return trainer.restore(flattenToTensors(saved), state.step, state.key);
}
