/** `shapegrad train`: flags, validation (one clear line per error), and the run of DINO, SwAV or PAWS. */
import { DATASET_NAMES } from '../data/dataset-names.js';
import { modelNames, type ModelName } from '../train/models.js';
import { backendAvailable, backendNames, type Backend } from '../compile/compile.js';
import { runTraining, type DatasetName, type RunOptions } from '../train/run.js';
import { methods, methodNames, methodsReading, type MethodFlag, type MethodName } from '../train/methods.js';
import type { OptimizerName } from '../train/optimizer-choice.js';
import type { OptimizerDefaults } from '../train/method-entry.js';
import { intIn, numberFlag, oneOf, parseFlags, UsageError, type Flags } from './args.js';
import { resultJson } from './result-json.js';
import { resumeFlags } from './resume-flags.js';
import { DEFAULT_FLIP } from '../data/multi-crop.js';
import { readRunInfo } from '../train/run-dir.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The flags only some methods read (given to another method they are an error, not silently ignored). */
const METHOD_FLAGS: readonly MethodFlag[] = ['out-dim', 'teacher-temp', 'momentum-teacher', 'freeze-last-layer', 'labels-per-class', 'cluster-images', 'optimizer', 'queue-length', 'epoch-queue-starts', 'flip'];

/** 'a', 'a or b', 'a, b or c'. */
const orList = (items: readonly string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`);

/** Text wrapped at 110 columns, each line indented by two spaces, as the rest of the usage. */
function wrapped(text: string): string {
  const lines = text.split(' ').reduce<string[]>((acc, word) => {
    const last = acc[acc.length - 1];
    if (last !== undefined && last.length + word.length < 108) acc[acc.length - 1] = `${last} ${word}`;
    else acc.push(word);
    return acc;
  }, []);
  return lines.map((line) => `  ${line}`).join('\n');
}

/** A method's optimisers, its default first. */
const optimizerChoices = (o: OptimizerDefaults): OptimizerName[] => [o.name, ...(Object.keys(o.lr) as OptimizerName[]).filter((n) => n !== o.name)];

export const trainUsage = `usage: shapegrad train [--method ${methodNames.join('|')}] [--model xcit-tiny|resmlp-tiny|vit-tiny|regnety-tiny] [--dataset NAME]
                       [--minutes N] [--max-steps N] [--stop-after N] [--out runs/NAME] [--resume] [--batch-size N] [--lr X]
                       [--seed N] [--backend wasm|webasm|cpu|headlessgl] [--local-views N] [--knn-train N] [--knn-test N]
                       [--out-dim K] [--teacher-temp T] [--momentum-teacher M] [--freeze-last-layer E] [--labels-per-class N] [--flip P]
                       [--cluster-images N] [--optimizer lars|adamw|sgd] [--queue-length N] [--epoch-queue-starts E]
                       [--data-root DIR] [--init-from FILE.safetensors] [--json]
  --dataset: mnist (default), fashion-mnist, cifar10, cifar100, image-folder, colour-shapes; --data-root DIR
  replaces mnist's and fashion-mnist's package folders and is required for cifar10 / cifar100 (the unpacked
  binary folder) and image-folder (DIR/train and DIR/test, one subfolder of PNG/JPEG images per class).
  Every method trains on grayscale or RGB images, sized from the dataset (square, a side the model takes:
  a multiple of 4, at least 8 for regnety-tiny); RGB takes each paper's colour augmentations.
  --out-dim: ${orList(methodNames.flatMap((m) => { const o = methods[m].defaults.outDim; return o === undefined ? [] : [`${o.meaning} (default ${o.value})`]; }))};
  --freeze-last-layer E: epochs (fractions too) during which DINO's head keeps its last layer fixed (main_dino.py's
  --freeze_last_layer, whose default is 1; here 0, measured better for runs of a few epochs: docs/decisions.md).
  --labels-per-class is PAWS' labelled images per class (default 10); --cluster-images is DeepCluster's and
  DeeperCluster's clustered subset (default 6000 / 1280; an epoch is that many images).
  --flip P: probability of a horizontal flip in every view (default ${DEFAULT_FLIP}, the recipes'); 0 keeps digits
  unmirrored (PAWS on MNIST reaches 95 % with --local-views 6 --flip 0: docs/performance.md).
${wrapped(`--optimizer (default first; the default --lr follows it): ${methodNames.flatMap((m) => { const o = methods[m].defaults.optimizer; return o === undefined ? [] : [`${m}: ${optimizerChoices(o).map((n) => `${n} ${o.lr[n]}`).join(', ')}`]; }).join('; ')}.`)}
  --queue-length N: SwAV's queue of past embeddings per assignment view (0: none, the default; rounded down to a
  multiple of the batch), kept from epoch --epoch-queue-starts (default 0) and read by Sinkhorn once full.
  --model defaults to xcit-tiny${methodNames.filter((m) => methods[m].defaults.model !== undefined).map((m) => `, ${methods[m].defaults.model} for ${m}`).join('')}.
${wrapped(`Flags of some methods only: ${METHOD_FLAGS.map((f) => `--${f} (${methodsReading(f).join(', ')})`).join(', ')}.`)}
  --init-from: start from a backbone trained elsewhere (a safetensors file of --model with the official
  state_dict names, e.g. from shapegrad export or PyTorch); DINO's student and teacher both start from it.
  --resume --out RUN continues a stopped run with the settings in RUN/run.json; a setting given again must be the same.
  A time budget's schedules span the steps it buys, estimated from trial steps and revised at each checkpoint.
  Defaults per method: batch ${methodNames.map((m) => methods[m].defaults.batchSize).join(' / ')}, lr ${methodNames.map((m) => methods[m].defaults.lr.toExponential()).join(' / ')} (${methodNames.join(' / ')}).`;

const switchNames = ['resume', 'json'];
const valueNames = ['optimizer', 'queue-length', 'epoch-queue-starts', 'init-from', 'stop-after', 'out-dim', 'teacher-temp', 'momentum-teacher', 'freeze-last-layer', 'data-root', 'method', 'model', 'dataset', 'minutes', 'max-steps', 'out', 'batch-size', 'lr', 'seed', 'backend', 'local-views', 'knn-train', 'knn-test', 'labels-per-class', 'cluster-images', 'flip'];

/** The largest value of a count flag: far above any sensible run, low enough that a typo fails fast instead of exhausting memory. */
const MAX_COUNT = 1_000_000;
const positiveInt = intIn(1, MAX_COUNT);
const positiveCount = `an integer from 1 to ${MAX_COUNT}`;

export function trainOptions(args: readonly string[], log: (line: string) => void): RunOptions & { json: boolean } {
  return trainOptionsOf(parseFlags(args, { switches: switchNames, values: valueNames }), log);
}

/** On --resume, the settings recorded in the run folder's run.json (when it has one: openRunDir refuses the rest). */
function withRecordedSettings(flags: Flags): Flags {
  if (!flags.switches.has('resume')) return flags;
  const out = flags.values.get('out');
  if (out === undefined) throw new UsageError('--resume needs --out, the run folder to continue');
  if (!existsSync(join(out, 'run.json'))) return flags;
  return resumeFlags(flags, readRunInfo(out), out);
}

function trainOptionsOf(given: Flags, log: (line: string) => void): RunOptions & { json: boolean } {
  const flags = withRecordedSettings(given);
  const method = oneOf(flags, 'method', methodNames, 'dino');
  for (const flag of METHOD_FLAGS) {
    const readers = methodsReading(flag);
    if (flags.values.has(flag) && !readers.includes(method)) throw new UsageError(`--${flag} applies to --method ${readers.join(' or ')}, not ${method}`);
  }
  const d = methods[method].defaults;
  const model = oneOf<ModelName>(flags, 'model', modelNames, d.model ?? 'xcit-tiny');
  const optimizer = optimizerFlag(flags, method);
  const dataset = oneOf<DatasetName>(flags, 'dataset', DATASET_NAMES, 'mnist');
  const backend = oneOf<Backend>(flags, 'backend', backendNames, 'wasm');
  if (!backendAvailable(backend)) throw new UsageError(`--backend ${backend} is not available on this machine`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    method,
    model,
    dataset,
    backend,
    minutes: numberFlag(flags, 'minutes', 5, (v) => v > 0 && v <= 10080, 'a positive number of minutes, at most a week (10080)'),
    ...(flags.values.has('stop-after') ? { stopAfter: numberFlag(flags, 'stop-after', 0, positiveInt, positiveCount) } : {}),
    ...(flags.values.has('max-steps') ? { maxSteps: numberFlag(flags, 'max-steps', 0, positiveInt, positiveCount) } : {}),
    out: outFlag(flags.values.get('out')) ?? `runs/${method}-${dataset}-${stamp}`,
    batchSize: numberFlag(flags, 'batch-size', d.batchSize, positiveInt, positiveCount),
    lr: numberFlag(flags, 'lr', optimizer === undefined ? d.lr : d.optimizer!.lr[optimizer]!, (v) => v > 0, 'a positive number'),
    ...(optimizer === undefined ? {} : { optimizer }),
    queueLength: numberFlag(flags, 'queue-length', 0, intIn(0, MAX_COUNT), `an integer from 0 to ${MAX_COUNT}`),
    epochQueueStarts: numberFlag(flags, 'epoch-queue-starts', 0, intIn(0, MAX_COUNT), `an integer from 0 to ${MAX_COUNT}`),
    seed: numberFlag(flags, 'seed', 0, intIn(0, 2 ** 31 - 1), 'an integer from 0 to 2147483647'),
    localViews: numberFlag(flags, 'local-views', 0, intIn(0, 32), 'an integer from 0 to 32'),
    knnTrain: numberFlag(flags, 'knn-train', 10000, positiveInt, positiveCount),
    knnTest: numberFlag(flags, 'knn-test', 10000, positiveInt, positiveCount),
    outDim: numberFlag(flags, 'out-dim', d.outDim?.value ?? 0, positiveInt, positiveCount),
    teacherTemp: numberFlag(flags, 'teacher-temp', 0.02, (v) => v > 0, 'a positive number'),
    momentumTeacher: numberFlag(flags, 'momentum-teacher', 0.996, (v) => v >= 0 && v <= 1, 'a number between 0 and 1'),
    freezeLastLayerEpochs: numberFlag(flags, 'freeze-last-layer', 0, (v) => v >= 0 && v <= MAX_COUNT, `a number of epochs from 0 to ${MAX_COUNT}`),
    labelsPerClass: numberFlag(flags, 'labels-per-class', 10, positiveInt, positiveCount),
    ...(flags.values.has('flip') ? { flip: numberFlag(flags, 'flip', DEFAULT_FLIP, (v) => v >= 0 && v <= 1, 'a probability from 0 to 1') } : {}),
    ...(flags.values.has('cluster-images') ? { clusterImages: numberFlag(flags, 'cluster-images', 0, positiveInt, positiveCount) } : {}),
    ...(flags.values.has('data-root') ? { dataRoot: flags.values.get('data-root')! } : {}),
    ...initFromFlag(flags),
    resume: flags.switches.has('resume'),
    json: flags.switches.has('json'),
    log,
  };
}

/** --optimizer for a method that takes it: one of the optimisers its entry accepts (its default when absent). */
function optimizerFlag(flags: Flags, method: MethodName): OptimizerName | undefined {
  const o = methods[method].defaults.optimizer;
  if (o === undefined) return undefined;
  const accepted = optimizerChoices(o);
  const v = flags.values.get('optimizer') ?? o.name;
  if (!(accepted as string[]).includes(v)) throw new UsageError(`--optimizer must be one of ${accepted.join(', ')} for --method ${method}, got '${v}'`);
  return v as OptimizerName;
}

function initFromFlag(flags: Flags): { initFrom?: string } {
  const file = flags.values.get('init-from');
  if (file === undefined) return {};
  if (file.trim() === '') throw new UsageError("--init-from needs a safetensors file, got ''");
  if (flags.switches.has('resume')) throw new UsageError('--init-from starts a new run; --resume continues one from its checkpoint: give one of them');
  return { initFrom: file };
}

function outFlag(out: string | undefined): string | undefined {
  if (out !== undefined && out.trim() === '') throw new UsageError("--out needs a folder path, got ''");
  return out;
}

/** Runs the command; returns the exit status. Every expected failure is one line on stderr. */
export async function trainCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let options;
  try {
    const flags = parseFlags(args, { switches: switchNames, values: valueNames });
    if (flags.switches.has('help')) {
      out(trainUsage);
      return 0;
    }
    options = trainOptionsOf(flags, (line) => err(line));
  } catch (e) {
    err(`shapegrad train: ${(e as Error).message}`);
    return 2;
  }
  try {
    const result = await runTraining(options);
    if (options.json) out(JSON.stringify(resultJson(result)));
    else out(result.table);
    return 0;
  } catch (e) {
    err(`shapegrad train: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
