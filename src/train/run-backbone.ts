/**
 * The evaluated backbone of a run folder (DINO: the teacher's, the others: params.backbone),
 * read from its checkpoint as values: what `eval --run`, `export` and `features --run` start from.
 */
import type { NDArray } from '../runtime/ndarray.js';
import { evaluate } from '../runtime/interpret.js';
import { key as makeKey } from '../runtime/prng.js';
import { readCheckpoint, unflattenFromTensors, type Checkpoint } from './checkpoint.js';
import { readRunInfo, runPaths, RunDirError, type RunPaths } from './run-dir.js';
import { backbone, modelNames, type ImageShape, type ModelName } from './models.js';
import { DATASET_NAMES } from '../data/dataset-names.js';
import { recordedImages } from './trainer-images.js';
import { evaluatedBackbone } from './methods.js';
import { methodNames, type MethodName } from './methods.js';
import type { DatasetName } from '../data/dataset-names.js';

export interface RunBackbone {
  readonly method: MethodName;
  readonly model: ModelName;
  readonly dataset: DatasetName;
  /** The images it was trained on (the recorded config's; MNIST's for runs from before colour). */
  readonly image: ImageShape;
  readonly paths: RunPaths;
  readonly checkpoint: Checkpoint;
  /** The evaluated backbone's parameters, shaped like backbone(model).init's tree, NDArray leaves. */
  readonly params: unknown;
  /** Where params lie in the checkpoint ('teacher.backbone', 'params.backbone'). */
  readonly path: string;
}

/** The tensors under `prefix.` of a checkpoint, rebuilt into a tree shaped like `like`. */
export function checkpointSubtree<T>(tensors: Readonly<Record<string, NDArray>>, prefix: string, like: T, file: string): T {
  const sub: Record<string, NDArray> = {};
  for (const [name, x] of Object.entries(tensors)) if (name.startsWith(`${prefix}.`)) sub[name.slice(prefix.length + 1)] = x;
  return unflattenFromTensors(like, sub, `checkpoint ${file}: ${prefix}`);
}

/** One-line {@link RunDirError}s for a missing folder, a folder that is not a run, or a run of an unknown method, model or dataset. */
export function readRunBackbone(dir: string): RunBackbone {
  const info = readRunInfo(dir);
  const paths = runPaths(dir);
  if (!(methodNames as readonly string[]).includes(info.method)) throw new RunDirError(`${paths.info}: method ${JSON.stringify(info.method)} is not one of ${methodNames.join(', ')}`, dir);
  if (!(modelNames as readonly string[]).includes(info.model)) throw new RunDirError(`${paths.info}: model ${JSON.stringify(info.model)} is not one of ${modelNames.join(', ')}`, dir);
  if (!(DATASET_NAMES as readonly string[]).includes(info.dataset)) throw new RunDirError(`${paths.info}: dataset ${JSON.stringify(info.dataset)} is not one of ${DATASET_NAMES.join(', ')}`, dir);
  const method = info.method as MethodName;
  const model = info.model as ModelName;
  const dataset = info.dataset as DatasetName;
  const checkpoint = readCheckpoint(paths.checkpoint, { method, model, dataset });
  const image = recordedImages(checkpoint.config);
  const like = evaluate(backbone(model, image).init(makeKey(0)));
  const path = evaluatedBackbone[method];
  return { method, model, dataset, image, paths, checkpoint, params: checkpointSubtree(checkpoint.tensors, path, like, paths.checkpoint), path };
}
