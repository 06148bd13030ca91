/**
 * A run's evaluation, shared by `train` (after training) and `eval --run`
 * (from the checkpoint): weighted k-NN on the backbone's features against raw
 * pixels and the same backbone at its random initialisation; for PAWS also
 * PAWS-NN, soft nearest neighbours of the test images against the labelled
 * support set on the projection head's output (raw pixels the same way for
 * comparison). Writes results.txt, results.json and the loss plot.
 */
import { trace } from '../ir/trace.js';
import type { Tensor } from '../ir/tensor.js';
import { compile, type Backend } from '../compile/compile.js';
import { evaluate, type ValuesOf } from '../runtime/interpret.js';
import { foldIn, key as makeKey, split } from '../runtime/prng.js';
import { subset, type Dataset } from '../data/dataset.js';
import { compareWithBaselines, extractFeatures, type EvaluatedRow, type FeatureFn } from '../eval/baselines.js';
import { formatResults, resultsJson } from '../eval/report.js';
import { snnClassify } from '../eval/snn-classify.js';
import { lineChart } from '../plot/index.js';
import { writePlot } from '../plot/png.js';
import { backbone, MNIST_IMAGES, type BackboneImages, type ImageShape, type ModelName } from './models.js';
import { batchImagesSpec, datasetImages } from './trainer-images.js';
import { defaultPawsConfig, pawsHeads } from './paws.js';
import type { HeadParams } from './heads.js';
import { methodLabels } from './methods.js';
import { metricSeries, readMetrics } from './metrics.js';
import { ensurePlotsDir, writeFileAtomic, type RunPaths } from './run-dir.js';
import { specsFor } from './step-parts.js';
import type { MethodName } from './methods.js';

export interface EvaluationInput {
  readonly method: MethodName;
  /** The name of the backbone's row (default: the method's label, the model and the steps). */
  readonly rowName?: string;
  readonly model: ModelName;
  readonly dataset: string;
  readonly steps: number;
  readonly seed: number;
  readonly backend: Backend;
  /** The trained backbone's parameters (values). */
  readonly backbone: unknown;
  /** PAWS: the projection head's parameters and the labelled support set. */
  readonly paws?: { readonly head: unknown; readonly labelled: Dataset };
  readonly train: Dataset;
  readonly test: Dataset;
  readonly knnTrain: number;
  readonly knnTest: number;
  readonly log: (line: string) => void;
}

export interface Evaluation {
  readonly rows: readonly EvaluatedRow[];
  readonly table: string;
  readonly notes: readonly string[];
}

const firstN = (ds: Dataset, n: number): Dataset => (n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i)));

/** A feature function over a compiled program of a fixed batch E of images of this shape (the last batch is padded). */
export function extractor<P>(f: (p: P, x: BackboneImages) => Tensor<['B', string]>, like: ValuesOf<P>, dim: number, E: number, backend: Backend, image: ImageShape = MNIST_IMAGES) {
  const program = trace((p: P, x: BackboneImages) => f(p, x), specsFor<P>(like), batchImagesSpec(image, E));
  const compiled = compile(program, { backend });
  const fn = (params: ValuesOf<P>): FeatureFn => async (images, n) => {
    const out = (await compiled.run(params, images)).data;
    return Float32Array.from(out.subarray(0, n * dim));
  };
  return { fn, destroy: () => compiled.destroy() };
}

export async function evaluateRun(paths: RunPaths, input: EvaluationInput): Promise<Evaluation> {
  const result = await evaluateBackbone(input);
  writeFileAtomic(paths.resultsTxt, `${result.table}\n`);
  writeFileAtomic(paths.resultsJson, `${JSON.stringify(resultsJson(result.rows, { title: result.title, notes: result.notes }), null, 2)}\n`);
  ensurePlotsDir(paths);
  const label = methodLabels[input.method];
  const metrics = readMetrics(paths.metrics);
  writePlot(paths.plot('loss', 'svg').replace(/\.svg$/, ''), lineChart({ title: `${label} loss (${input.model}, ${input.dataset})`, xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', points: metricSeries(metrics, 'loss') }] }), { warn: input.log });
  return { rows: result.rows, table: result.table, notes: result.notes };
}

/** The k-NN table of a backbone's parameters (and its baselines), written nowhere. */
export async function evaluateBackbone(input: Omit<EvaluationInput, 'method'> & { readonly method?: MethodName }): Promise<Evaluation & { readonly title: string }> {
  const E = 250;
  const image = datasetImages(input.train);
  const net = backbone(input.model, image);
  const randomInit = evaluate(net.init(split(makeKey(input.seed), 3)[0]!));
  const features = extractor((p: unknown, x) => net.features(p, x), randomInit, net.dim, E, input.backend, image);
  const bank = firstN(input.train, input.knnTrain);
  const queries = firstN(input.test, input.knnTest);
  const label = input.method === undefined ? 'weights' : methodLabels[input.method];
  input.log(`k-NN (k = 20, T = 0.07) with ${bank.n} training images as the memory bank, and a linear probe trained on them, on ${queries.n} test images`);
  const rows = await compareWithBaselines({
    train: { images: bank.images, labels: bank.labels },
    test: { images: queries.images, labels: queries.labels },
    method: { name: input.rowName ?? `${label} (${input.model}, ${input.steps} steps)`, features: features.fn(input.backbone) },
    randomInit: features.fn(randomInit),
    rawPixels: true,
    extract: { batchSize: E, padLastBatch: true },
    // A linear probe on the same split (10 epochs, AdamW, standardised features): seconds for d = 32, about 5 s for raw pixels.
    linear: { key: foldIn(makeKey(input.seed), 77), numClasses: input.train.numClasses },
    cluster: { key: foldIn(makeKey(input.seed), 78), k: input.train.numClasses },
  });
  features.destroy();

  const notes: string[] = [];
  if (input.paws !== undefined) {
    const { head: headParams, labelled } = input.paws;
    const { head, sizes } = pawsHeads(net, defaultPawsConfig);
    // The head's values come from the run's checkpoint (read as an untyped tree).
    const params = { backbone: input.backbone, head: headParams as ValuesOf<HeadParams<'C', 'H', 'D'>> };
    const h = extractor((p: { backbone: unknown; head: HeadParams<'C', 'H', 'D'> }, x) => head.apply(p.head, net.features(p.backbone, x)), params, sizes.D, E, input.backend, image);
    const support = await extractFeatures(h.fn(params), labelled.images, labelled.n, { batchSize: E });
    const test = await extractFeatures(h.fn(params), queries.images, queries.n, { batchSize: E });
    h.destroy();
    const nn = snnClassify({ features: support.features, labels: labelled.labels }, { features: test.features, labels: queries.labels }, { tau: 0.1, numClasses: input.train.numClasses });
    const raw = snnClassify({ features: labelled.images, labels: labelled.labels }, { features: queries.images, labels: queries.labels }, { tau: 0.1, numClasses: input.train.numClasses });
    notes.push(`PAWS-NN (soft nearest neighbours, tau 0.1, against the ${labelled.n} labelled images, on ${queries.n} test images): PAWS ${nn.top1.toFixed(2)}, raw pixels ${raw.top1.toFixed(2)}`);
  }

  const title = `${input.dataset} k-NN top-1 (memory bank: ${bank.n} training images; ${queries.n} test images)`;
  const table = formatResults(rows, { title, notes });
  return { rows, table, notes, title };
}
