/**
 * The training worker: one job per worker (the page terminates it to stop).
 * Training here, off the page's thread, keeps the page responsive while a
 * step runs; the worker reports every step, k-NN evaluation and picture as a
 * message (protocol.ts).
 */
import * as sg from 'shapegrad';
import type { NDArray, Tensor } from 'shapegrad';
import { dinoTrainer, imageBatches, type DinoState } from '../../dist/src/train/dino.js';
import { classAttentionMaps } from '../../dist/src/train/attention-maps.js';
import type { Backbone } from '../../dist/src/train/models.js';
import type { BackendName, DinoJob, Job, Ran, Report, SpiralsJob } from './protocol.js';
import { spiralsProblem } from './spirals.js';

const scope = self as unknown as { postMessage(message: Report, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<Job>) => void) | null };
const post = (r: Report, transfer: Transferable[] = []) => scope.postMessage(r, transfer);
const status = (text: string) => post({ kind: 'status', text });

scope.onmessage = (e) => {
  const job = e.data;
  const run = job.kind === 'dino' ? dinoJob(job) : spiralsJob(job);
  run.catch((err: unknown) => post({ kind: 'error', message: err instanceof Error ? err.message : String(err) }));
};

/** One MNIST file of the slice `npm run demo` packed (gzipped IDX, as LeCun distributes them). */
async function fetchIdx(name: string): Promise<Uint8Array> {
  const res = await fetch(new URL(`mnist/${name}.gz`, import.meta.url));
  if (!res.ok || res.body === null) throw new Error(`mnist/${name}.gz: HTTP ${res.status} (npm run demo packs it)`);
  return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

async function loadSplit(split: 'train' | 'test'): Promise<sg.data.Dataset> {
  const f = sg.data.MNIST_FILES[split];
  const [images, labels] = await Promise.all([fetchIdx(f.images), fetchIdx(f.labels)]);
  return sg.data.mnistFromIdx(split, { images, labels });
}

function ranOf(compiled: Pick<sg.CompiledProgram, 'lastRun'>): Ran {
  const info = compiled.lastRun() as (sg.ExecutionInfo & { threads?: number }) | undefined;
  if (info === undefined) return { backend: '?', executorKind: '?' };
  return { backend: info.backend, executorKind: info.executorKind, ...(info.threads === undefined ? {} : { threads: info.threads }) };
}

const firstN = (ds: sg.data.Dataset, n: number) => sg.data.subset(ds, Array.from({ length: Math.min(n, ds.n) }, (_, i) => i));
const isNd = (x: unknown): x is NDArray => typeof x === 'object' && x !== null && (x as NDArray).data instanceof Float64Array;
const specsOf = (tree: unknown): never => sg.mapTree(tree, isNd, (v) => sg.spec([...v.axes], v.sizes)) as never;

/** The k-NN memory bank and queries, and the test digits whose attention is drawn. */
const KNN_BANK = 1000;
const KNN_QUERIES = 500;
const ATTENTION_DIGITS = 4;

/** Weighted k-NN (k = 20, T = 0.07, DINO's) of a backbone's features, computed by a compiled program of E images per call. */
function knnMonitor(net: Backbone<unknown>, like: unknown, train: sg.data.Dataset, test: sg.data.Dataset, backend: BackendName) {
  const E = backend === 'wasm' ? 250 : 100;
  const bank = firstN(train, KNN_BANK);
  const queries = firstN(test, KNN_QUERIES);
  let compiled: sg.CompiledProgram | undefined;
  return {
    bank: bank.n,
    queries: queries.n,
    async measure(params: unknown): Promise<number> {
      compiled ??= sg.compile(sg.trace((p: unknown, x: Tensor<['B', 'H', 'W']>) => net.features(p, x), specsOf(like), sg.spec(['B', 'H', 'W'], [E, 28, 28], 'images')) as never, { backend });
      const program = compiled;
      const fn = async (images: Float32Array, n: number) => Float32Array.from(((await program.run(params as never, images as never)) as NDArray).data.subarray(0, n * net.dim));
      const b = await sg.evaluation.extractFeatures(fn, bank.images, bank.n, { batchSize: E });
      const q = await sg.evaluation.extractFeatures(fn, queries.images, queries.n, { batchSize: E });
      return sg.evaluation.knnClassifySync({ features: b.features, labels: bank.labels }, { features: q.features, labels: queries.labels }).top1;
    },
    destroy: () => compiled?.destroy(),
  };
}

/** The class attention of the last block on a few test digits, as an SVG grid (image, then one map per head). */
async function attentionSvg(net: Backbone<unknown>, params: unknown, test: sg.data.Dataset, step: number, backend: BackendName): Promise<string> {
  const n = ATTENTION_DIGITS;
  const images = Float32Array.from(test.images.subarray(0, n * 784));
  const { maps } = await classAttentionMaps(net, params, images, n, { backend });
  return sg.plot.heatmapGrid({
    title: `class attention, step ${step}`,
    cellSize: 64,
    columnLabels: ['digit', ...maps[0]!.map((_, h) => `head ${h + 1}`)],
    rows: maps.map((heads, i) => ({ image: { height: 28, width: 28, data: images.subarray(i * 784, (i + 1) * 784) }, maps: heads })),
  });
}

async function dinoJob(job: DinoJob): Promise<void> {
  status('loading the MNIST slice');
  const [train, test] = await Promise.all([loadSplit('train'), loadSplit('test')]);
  if (job.backend === 'wasm') {
    status('starting the WebAssembly threads');
  }
  status(`tracing and compiling one DINO step (${job.model}, batch ${job.batchSize}) for ${job.backend}`);
  const t0 = performance.now();
  const trainer = dinoTrainer({
    model: job.model,
    batchSize: job.batchSize,
    backend: job.backend,
    plannedSteps: job.steps,
    // DINO freezes the head's last layer for the first epoch (here, of the slice).
    freezeLastLayerSteps: Math.ceil(train.n / job.batchSize),
    seed: job.seed,
  });
  post({ kind: 'compiled', kernels: trainer.compiled.kernels.length, seconds: (performance.now() - t0) / 1000 });

  const initial: DinoState = trainer.initState();
  let state = initial;
  const monitor = job.knnEvery > 0 ? knnMonitor(trainer.backbone, initial.teacher.backbone, train, test, job.backend) : undefined;
  // DINO evaluates the teacher's backbone; at step 0 it is the random network.
  const evaluate = async (s: DinoState) => {
    if (monitor === undefined) return;
    status(`step ${s.step}: k-NN on the teacher's features (${monitor.bank} training images as the memory bank, ${monitor.queries} test images)`);
    const t = performance.now();
    const top1 = await monitor.measure(s.teacher.backbone);
    post({ kind: 'knn', step: s.step, top1, bank: monitor.bank, queries: monitor.queries, seconds: (performance.now() - t) / 1000 });
    if (job.model === 'xcit-tiny') post({ kind: 'attention', step: s.step, svg: await attentionSvg(trainer.backbone, s.teacher.backbone, test, s.step, job.backend) });
  };
  await evaluate(state);

  const batches = imageBatches(train, job.batchSize, sg.random.foldIn(initial.key, 1));
  let firstBatch: Float32Array | undefined;
  let stepSeconds = 0;
  let timedImages = 0;
  const started = performance.now();
  for (let i = 0; i < job.steps; i++) {
    const images = batches.next().value as Float32Array;
    firstBatch ??= images;
    if (i === 0) status(job.backend === 'wasm' || job.backend === 'cpu' ? 'first step' : 'first step (the GPU backend compiles its shaders now)');
    const t = performance.now();
    const r = await trainer.step(state, images);
    const dt = (performance.now() - t) / 1000;
    // images/s leaves out the first step, which compiles shaders (webgl2, webgpu) and warms up.
    if (i > 0) {
      stepSeconds += dt;
      timedImages += job.batchSize;
    }
    state = r.state;
    post({ kind: 'step', step: state.step, loss: r.loss, lr: r.lr, imagesPerSecond: i > 0 ? timedImages / stepSeconds : job.batchSize / dt, ran: ranOf(trainer.compiled) });
    if (job.knnEvery > 0 && state.step % job.knnEvery === 0 && state.step < job.steps) await evaluate(state);
  }
  await evaluate(state);
  monitor?.destroy();
  if (job.reference && firstBatch !== undefined) {
    status('the first step again, on the float64 reference interpreter');
    const t = performance.now();
    const out = sg.run(trainer.program, ...trainer.stepInputs(initial, firstBatch).inputs);
    post({ kind: 'reference', loss: out.loss.data[0]!, seconds: (performance.now() - t) / 1000 });
  }
  trainer.destroy();
  post({ kind: 'done', steps: state.step, seconds: (performance.now() - started) / 1000 });
}

async function spiralsJob(job: SpiralsJob): Promise<void> {
  status(`compiling the two-spirals step for ${job.backend}`);
  const problem = spiralsProblem({ hidden: job.hidden, learningRate: job.learningRate, backend: job.backend });
  post({ kind: 'spirals-data', points: problem.points, labels: problem.labels, extent: problem.extent, side: problem.side });
  const started = performance.now();
  let params = problem.init();
  let lastFrame = 0;
  for (let i = 1; i <= job.steps; i++) {
    const out = await problem.step(params);
    params = out.params;
    // A frame every few steps, at most ~25 per second, so that a fast backend can be watched too.
    if (i % 5 === 0 || i === job.steps) {
      const grid = await problem.grid(params);
      const wait = 40 - (performance.now() - lastFrame);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastFrame = performance.now();
      post({ kind: 'spirals', step: i, loss: out.loss, accuracy: out.accuracy, grid, ran: ranOf(problem.compiled) }, [grid.buffer]);
    }
  }
  problem.destroy();
  post({ kind: 'done', steps: job.steps, seconds: (performance.now() - started) / 1000 });
}
