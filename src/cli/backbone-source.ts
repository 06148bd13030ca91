/**
 * Where a command's backbone comes from: `--run DIR` (the evaluated backbone of a run's
 * checkpoint) or `--weights FILE --model NAME` (a safetensors file, checked against the model).
 * Flag mistakes are UsageErrors (exit 2); files that are absent or do not fit are thrown as read.
 */
import { basename } from 'node:path';
import { modelNames, type ImageShape, type ModelName } from '../train/models.js';
import type { DatasetName } from '../train/run.js';
import { readRunBackbone } from '../train/run-backbone.js';
import { readBackboneWeights } from '../train/backbone-weights.js';
import { oneOf, UsageError, type Flags } from './args.js';

export interface BackboneSource {
  readonly model: ModelName;
  readonly params: unknown;
  /** The run's dataset (--run); none for --weights. */
  readonly dataset?: DatasetName;
  /** The backbone's name in tables and metadata. */
  readonly label: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Check the flags only (before any file is read). */
export function backboneSourceFlags(flags: Flags): { readonly run: string } | { readonly weights: string; readonly model: ModelName } {
  const run = flags.values.get('run');
  const weights = flags.values.get('weights');
  if (run !== undefined && weights !== undefined) throw new UsageError('give --run or --weights, not both');
  if (run !== undefined) {
    if (run.trim() === '') throw new UsageError("--run needs a folder path, got ''");
    if (flags.values.has('model')) throw new UsageError("--model goes with --weights; a run's model is in its run.json");
    return { run };
  }
  if (weights === undefined) throw new UsageError('--run runs/NAME or --weights FILE --model NAME is required');
  if (weights.trim() === '') throw new UsageError("--weights needs a file path, got ''");
  if (!flags.values.has('model')) throw new UsageError(`--weights needs --model (${modelNames.join(' or ')})`);
  return { weights, model: oneOf<ModelName>(flags, 'model', modelNames, 'xcit-tiny') };
}

/** The backbone of --run (sized as the run recorded) or of --weights (sized for `image`, the dataset's images; default 1×28×28). */
export function readBackboneSource(source: ReturnType<typeof backboneSourceFlags>, image?: ImageShape): BackboneSource {
  if ('run' in source) {
    const r = readRunBackbone(source.run);
    return { model: r.model, params: r.params, dataset: r.dataset, label: `${r.method} run ${basename(source.run)} (${r.model}, ${r.checkpoint.step} steps)`, metadata: { model: r.model, method: r.method, dataset: r.dataset, step: String(r.checkpoint.step), source: r.path } };
  }
  return { model: source.model, params: readBackboneWeights(source.weights, source.model, image), label: `weights ${basename(source.weights)} (${source.model})`, metadata: { model: source.model, source: basename(source.weights) } };
}
