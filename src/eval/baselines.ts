/**
 * Baselines on the same split, so that the numbers of a trained method mean
 * something:
 *
 * - raw pixels: k-NN (and optionally a linear probe) with each image's pixels
 *   as its feature vector;
 * - random initialisation: the method's own feature extractor with freshly
 *   initialised parameters (the caller passes that function; this module only
 *   runs extractors, it knows no models).
 *
 * A feature extractor is any function from a batch of images to its features,
 * `(images, n) => features` (n·pixels in, n·d out, row-major; it may be async,
 * as compiled programs are). `extractFeatures` feeds it fixed-size batches,
 * padding the last one with zero images by default (a compiled program has one
 * batch size) and dropping the padding's features.
 */
import type { FeatureSet } from './features.js';
import { knnClassify, type KnnOptions, type KnnResult } from './knn.js';
import { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
import type { ResultRow } from './report.js';
import { clusterQuality, type ClusterQualityOptions } from './cluster-quality.js';

/** n images (row-major, n·pixels values) and their labels; a data/Dataset is one. */
export interface LabelledImages {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** Features of n images (row-major [n, d]), synchronously or not. */
export type FeatureFn = (images: Float32Array, n: number) => Float32Array | Promise<Float32Array>;

/** How features are extracted: batch size and padding of the last batch. */
export interface ExtractOptions {
  /** Images per call of the extractor (default 256). */
  readonly batchSize?: number;
  /** Pad the last batch with zero images to batchSize (default true). */
  readonly padLastBatch?: boolean;
}

/** The features of n images, computed batch by batch. */
export async function extractFeatures(fn: FeatureFn, images: Float32Array, n: number, options: ExtractOptions = {}): Promise<{ features: Float32Array; dim: number }> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`extractFeatures: n must be a positive integer, got ${n}`);
  const pixels = images.length / n;
  if (!Number.isInteger(pixels) || pixels < 1) throw new RangeError(`extractFeatures: ${images.length} values do not split into ${n} images`);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`extractFeatures: batchSize must be a positive integer, got ${batchSize}`);
  const pad = options.padLastBatch ?? true;
  let out: Float32Array | undefined;
  let dim = 0;
  for (let i0 = 0; i0 < n; i0 += batchSize) {
    const m = Math.min(batchSize, n - i0);
    const size = pad ? batchSize : m;
    let batch = images.subarray(i0 * pixels, (i0 + m) * pixels);
    if (size > m) {
      const padded = new Float32Array(size * pixels);
      padded.set(batch);
      batch = padded;
    }
    const f = await fn(batch, size);
    if (!(f instanceof Float32Array)) throw new TypeError(`extractFeatures: the extractor returned ${Object.prototype.toString.call(f)}, not a Float32Array`);
    if (out === undefined) {
      dim = f.length / size;
      if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`extractFeatures: the extractor returned ${f.length} values for ${size} images`);
      out = new Float32Array(n * dim);
    } else if (f.length !== size * dim) {
      throw new RangeError(`extractFeatures: the extractor returned ${f.length} values for ${size} images; earlier batches had ${dim} per image`);
    }
    out.set(f.subarray(0, m * dim), i0 * dim);
  }
  return { features: out!, dim };
}

/** Options of one feature evaluation (k-NN, linear probe, clustering). */
export interface EvaluateOptions {
  /** k-NN options (DINO's k = 20, T = 0.07 by default); false skips k-NN. */
  readonly knn?: KnnOptions | false;
  /** Linear-probe options (with its key); absent or false skips the probe. */
  readonly linear?: LinearProbeOptions | false;
  /** k-means of the test features against the labels (NMI, ARI); absent or false skips it. */
  readonly cluster?: ClusterQualityOptions | false;
  /** Batching of the extractor. */
  readonly extract?: ExtractOptions;
}

/** A table row with the full results behind it. */
export interface EvaluatedRow extends ResultRow {
  readonly knnResult?: KnnResult;
  readonly linearResult?: LinearProbeResult;
}

/** k-NN and (optionally) the linear probe of ready-made features. */
export async function evaluateFeatures(name: string, train: FeatureSet, test: FeatureSet, options: EvaluateOptions = {}): Promise<EvaluatedRow> {
  const start = performance.now();
  const knnResult = options.knn === false ? undefined : await knnClassify(train, test, options.knn ?? {});
  const linearResult = options.linear ? await linearProbe(train, test, options.linear) : undefined;
  const clusters = options.cluster ? clusterQuality(test, options.cluster) : undefined;
  return {
    name,
    dim: train.features.length / train.labels.length,
    ...(knnResult ? { knn: { top1: knnResult.top1, top5: knnResult.top5 }, knnResult } : {}),
    ...(linearResult ? { linearTop1: linearResult.top1, linearResult } : {}),
    ...(clusters ? { clustering: { nmi: clusters.nmi, ari: clusters.ari } } : {}),
    seconds: (performance.now() - start) / 1000,
  };
}

/** Extract features of both splits with `fn`, then evaluate them. */
export async function evaluateExtractor(name: string, fn: FeatureFn, train: LabelledImages, test: LabelledImages, options: EvaluateOptions = {}): Promise<EvaluatedRow> {
  const start = performance.now();
  const tr = await extractFeatures(fn, train.images, train.labels.length, options.extract);
  const te = await extractFeatures(fn, test.images, test.labels.length, options.extract);
  const row = await evaluateFeatures(name, { features: tr.features, labels: train.labels }, { features: te.features, labels: test.labels }, options);
  return { ...row, seconds: (performance.now() - start) / 1000 };
}

/** The raw-pixel baseline: the images themselves as features. */
export async function rawPixelBaseline(train: LabelledImages, test: LabelledImages, options: Omit<EvaluateOptions, 'extract'> = {}): Promise<EvaluatedRow> {
  return evaluateFeatures('raw pixels', { features: train.images, labels: train.labels }, { features: test.images, labels: test.labels }, options);
}

/** What `compareWithBaselines` evaluates: the method's features, random initialisation and raw pixels, with k-NN, a linear probe and clustering. */
export interface ComparisonOptions extends EvaluateOptions {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
  /** The trained method: its name for the table and its feature function. */
  readonly method: { readonly name: string; readonly features: FeatureFn };
  /** The same extractor with freshly initialised parameters. */
  readonly randomInit?: FeatureFn;
  /** Include the raw-pixel row (default true). */
  readonly rawPixels?: boolean;
}

/** The rows of the results table: raw pixels, random initialisation, the method (each on the same split). */
export async function compareWithBaselines(options: ComparisonOptions): Promise<EvaluatedRow[]> {
  const { train, test, method, randomInit } = options;
  const rows: EvaluatedRow[] = [];
  if (options.rawPixels ?? true) rows.push(await rawPixelBaseline(train, test, options));
  if (randomInit) rows.push(await evaluateExtractor('random initialisation', randomInit, train, test, options));
  rows.push(await evaluateExtractor(method.name, method.features, train, test, options));
  return rows;
}
