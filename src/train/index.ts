/**
 * shapegrad/train (Node): the trainers of the `shapegrad train` command, as a library. The
 * backbones, the DINO trainer and its image batches, every method's trainer, whole runs with
 * their run folders, checkpoints and metrics, and the re-evaluation of a run.
 */
export { dinoTrainer, imageBatches, defaultDinoConfig, type DinoTrainer, type DinoState, type DinoTrainConfig, type DinoNetwork, type DinoStepSpecs, type DinoStepOutput } from './dino.js';
export { dinoStep, dinoOptimizer, frozenPaths, type DinoStepParts, type DinoStepInputs, type DinoStepResult, type DinoView } from './dino-step.js';
export { specsOf, specsFor, type SpecsOf, type TensorsOfValues } from './step-parts.js';
export {
  backbone, xcitTiny, resmlpTiny, vitTinyBackbone, regnetyTinyBackbone, modelNames, tinyLinearInitStd, MNIST_IMAGES, acceptedImages, backboneImagesProblem, viewSideFor,
  type Backbone, type BackboneImages, type ImageShape, type ModelName,
} from './models.js';
export { batchImagesSpec, cropOptions, datasetImages, recordedImages, sourceSize, valuesPerImage } from './trainer-images.js';
export { datasetFeatures } from './dataset-features.js';
export { type CompiledStep, type TrainState, type StepResult, type Trainer } from './trainer.js';
export { methods, methodNames, buildTrainer, methodConfig, methodLabels, methodsReading, labelledImages, type MethodName, type MethodOptions, type MethodEntry, type MethodFlag } from './methods.js';
export { optimizerNames, type OptimizerName, type TrainOptimizerState } from './optimizer-choice.js';
export type { OptimizerDefaults } from './method-entry.js';
export { runTraining, evalRun, loadDataset, requireTrainerImages, type RunOptions, type RunResult, type EvalRunOptions, type DatasetName } from './run.js';
export { openRunDir, readRunInfo, runPaths, discardRunDir, writeFileAtomic, RunDirError, type RunDir, type RunPaths, type RunInfo, type RunIdentity, type OpenRunOptions, type AtomicWriteHooks } from './run-dir.js';
export {
  readCheckpoint, writeCheckpoint, decodeCheckpoint, serializeCheckpoint, flattenToTensors, unflattenFromTensors, CheckpointError,
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type ExpectedCheckpoint,
} from './checkpoint.js';
export type { SchedulePlan } from './schedule-plan.js';
export { appendMetrics, readMetrics, truncateMetrics, metricSeries, MetricsError, type MetricRecord } from './metrics.js';
export { classAttentionMaps, attentionPlot, plotPlanes, clsRow, patchGrids, type AttentionMaps } from './attention-maps.js';
export { attentionMask, attentionMaskMaps } from './attention-masks.js';
export { readBackboneWeights } from './backbone-weights.js';
