/**
 * Weighted k-NN classification exactly as DINO's eval_knn.py (knn_classifier):
 * train and test features are L2-normalised (x / max(‖x‖, 1e-12), as
 * torch.nn.functional.normalize), the similarity is the cosine (a dot product of
 * normalised rows), each test image takes its k most similar training images
 * (k = 20), neighbour j votes for its label with weight exp(sim_j / T)
 * (T = 0.07), votes are summed per class and the classes ranked by their total.
 * Top-1 counts the best class, top-5 the best min(5, k) classes.
 *
 * Precision and ties, which DINO's code leaves to torch: normalised features
 * are rounded to float32 (DINO keeps them in float32 too), each similarity is
 * the float64 sum of the products in feature order, neighbours are ranked by
 * similarity with ties to the lower training index, and classes by vote with
 * ties to the lower class index (the order of a stable descending sort).
 *
 * Speed (measured on a two-core AMD EPYC, Node 20, see knn-search.ts): the
 * similarity blocks are register-blocked products in plain typed-array
 * JavaScript (about 3e9 multiply-adds per second per core), with a gathering
 * kernel for sparse features such as raw pixels, and a running top-k per
 * query; gpu.js's webasm backend computing the same blocks was 3x slower, so
 * it is not used. 60000 train × 10000 test images took 14 CPU-seconds at
 * d = 64, 40 at d = 192 and 44 on raw MNIST pixels (d = 784, 18% non-zero),
 * about half that in wall time on two cores. `knnClassify` spreads blocks of
 * queries over worker threads (Node's worker_threads, one per core by
 * default); `knnClassifySync` runs the same arithmetic on the calling thread,
 * so both give identical results.
 */
import { searchQueries, searchScratch, type SearchProblem } from './knn-search.js';
import type { KnnWorkerData } from './knn-worker.js';
import { isNode, nodeBuiltin } from '../runtime/host.js';
import { classCount, splitShapes, type FeatureSet } from './features.js';

export type { FeatureSet } from './features.js';

/** Weighted k-NN settings (k, temperature T, classes, threads). */
export interface KnnOptions {
  /** Neighbours per test image (default 20, as DINO). */
  readonly k?: number;
  /** Temperature of the vote weights exp(sim / T) (default 0.07, as DINO). */
  readonly temperature?: number;
  /** Number of classes (default: one more than the largest label seen). */
  readonly numClasses?: number;
  /** Test images per block of the search (default 64; DINO splits the test set into 100 chunks). */
  readonly batchSize?: number;
  /** Worker threads for knnClassify (default: the cores Node reports; 1 runs on the calling thread). */
  readonly threads?: number;
}

/** k-NN accuracy (top-1 and top-5) and predictions. */
export interface KnnResult {
  /** Top-1 accuracy in percent. */
  readonly top1: number;
  /** Top-5 accuracy in percent (the label among the best min(5, k) classes). */
  readonly top5: number;
  /** Top-1 accuracy in percent of each class's test images (NaN for a class with none). */
  readonly perClass: readonly number[];
  /** The predicted (top-1) class of each test image. */
  readonly predictions: Int32Array;
  /** Test images evaluated. */
  readonly total: number;
  readonly k: number;
  readonly temperature: number;
  readonly numClasses: number;
  /** Feature dimension. */
  readonly dim: number;
  /** Threads that ran the search. */
  readonly threads: number;
  /** Wall-clock seconds of the whole evaluation. */
  readonly seconds: number;
}

/** The neighbours of each test image: nTest×k training indices and similarities, best first. */
export interface Neighbours {
  readonly k: number;
  readonly indices: Int32Array;
  readonly similarities: Float64Array;
}

interface Checked {
  readonly nTrain: number;
  readonly nTest: number;
  readonly d: number;
  readonly k: number;
  readonly temperature: number;
  readonly numClasses: number;
  readonly batchSize: number;
}

function check(train: FeatureSet, test: FeatureSet, options: KnnOptions): Checked {
  const { nTrain, nTest, d } = splitShapes(train, test, 'knn');
  const k = options.k ?? 20;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (k > nTrain) throw new RangeError(`knn: k = ${k} neighbours, but only ${nTrain} training images`);
  const temperature = options.temperature ?? 0.07;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`knn: temperature must be a positive number, got ${temperature}`);
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`knn: batchSize must be a positive integer, got ${batchSize}`);
  const numClasses = classCount([train.labels, test.labels], options.numClasses, 'knn');
  return { nTrain, nTest, d, k, temperature, numClasses, batchSize };
}

/**
 * Rows divided by max(‖row‖, 1e-12) (torch.nn.functional.normalize), rounded
 * to float32. `out` may be a view of shared memory. Non-finite values throw.
 */
export function l2NormalizeRows(features: ArrayLike<number>, d: number, out: Float32Array = new Float32Array(features.length), what = 'features'): Float32Array {
  const n = features.length / d;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let ss = 0;
    for (let c = 0; c < d; c++) {
      const v = features[o + c]!;
      ss += v * v;
    }
    if (!Number.isFinite(ss)) {
      for (let c = 0; c < d; c++) {
        if (!Number.isFinite(features[o + c]!)) throw new RangeError(`knn: ${what} row ${i} holds ${features[o + c]} at index ${c}`);
      }
    }
    const div = Math.max(Math.sqrt(ss), 1e-12);
    for (let c = 0; c < d; c++) out[o + c] = features[o + c]! / div;
  }
  return out;
}

const sharedAvailable = typeof SharedArrayBuffer !== 'undefined';

function allocate<T extends Float32Array | Float64Array | Int32Array>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, n: number, shared: boolean): T {
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  return new ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

function prepare(train: FeatureSet, test: FeatureSet, c: Checked, shared: boolean): SearchProblem {
  return {
    train: l2NormalizeRows(train.features, c.d, allocate(Float32Array, c.nTrain * c.d, shared), 'train'),
    nTrain: c.nTrain,
    test: l2NormalizeRows(test.features, c.d, allocate(Float32Array, c.nTest * c.d, shared), 'test'),
    d: c.d,
    k: c.k,
    outSim: allocate(Float64Array, c.nTest * c.k, shared),
    outIdx: allocate(Int32Array, c.nTest * c.k, shared),
  };
}

function searchInline(p: SearchProblem, nTest: number, batchSize: number): void {
  const scratch = searchScratch(batchSize, p.d);
  for (let q0 = 0; q0 < nTest; q0 += batchSize) searchQueries(p, q0, Math.min(nTest, q0 + batchSize), scratch);
}

/** Threads for the search: every core in Node; one elsewhere (a page searches inline). */
function defaultThreads(): number {
  return nodeBuiltin<typeof import('node:os')>('node:os')?.availableParallelism() ?? 1;
}

/** Below this many multiply-adds, starting workers costs more than it saves. */
const PARALLEL_MIN_WORK = 1 << 26;

async function searchParallel(p: SearchProblem, nTest: number, batchSize: number, threads: number): Promise<void> {
  const { Worker } = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads')!;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const data: KnnWorkerData = {
    train: p.train.buffer as SharedArrayBuffer,
    test: p.test.buffer as SharedArrayBuffer,
    outSim: p.outSim.buffer as SharedArrayBuffer,
    outIdx: p.outIdx.buffer as SharedArrayBuffer,
    counter: counter.buffer as SharedArrayBuffer,
    nTrain: p.nTrain,
    nTest,
    d: p.d,
    k: p.k,
    batchSize,
  };
  const url = new URL('./knn-worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(url, { workerData: data });
        let settled = false;
        worker.on('message', (m: { ok: boolean; error?: string }) => {
          settled = true;
          if (m.ok) resolve();
          else reject(new Error(`knn worker: ${m.error}`));
        });
        worker.on('error', (e) => {
          settled = true;
          reject(e);
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`knn worker exited with code ${code} before finishing`));
        });
      }),
    ),
  );
}

/** Votes, predictions and accuracies from the neighbours (DINO's weighted vote). */
function vote(p: SearchProblem, trainLabels: Uint8Array, testLabels: Uint8Array, c: Checked): Omit<KnnResult, 'threads' | 'seconds'> {
  const { k, numClasses, temperature } = c;
  const votes = new Float64Array(numClasses);
  const predictions = new Int32Array(c.nTest);
  const correct = new Float64Array(numClasses);
  const count = new Float64Array(numClasses);
  const top5Rank = Math.min(5, k);
  let top1 = 0;
  let top5 = 0;
  for (let q = 0; q < c.nTest; q++) {
    votes.fill(0);
    const base = q * k;
    for (let j = 0; j < k; j++) votes[trainLabels[p.outIdx[base + j]!]!]! += Math.exp(p.outSim[base + j]! / temperature);
    let best = 0;
    for (let cls = 1; cls < numClasses; cls++) if (votes[cls]! > votes[best]!) best = cls;
    predictions[q] = best;
    const label = testLabels[q]!;
    const mine = votes[label]!;
    let rank = 0;
    for (let cls = 0; cls < numClasses; cls++) {
      const v = votes[cls]!;
      if (v > mine || (v === mine && cls < label)) rank++;
    }
    count[label]!++;
    if (rank === 0) {
      top1++;
      correct[label]!++;
    }
    if (rank < top5Rank) top5++;
  }
  return {
    top1: (100 * top1) / c.nTest,
    top5: (100 * top5) / c.nTest,
    perClass: Array.from(count, (n, cls) => (n === 0 ? NaN : (100 * correct[cls]!) / n)),
    predictions,
    total: c.nTest,
    k,
    temperature,
    numClasses,
    dim: c.d,
  };
}

/** The k nearest training images of each test image (cosine similarity), on the calling thread. */
export function knnNeighbours(train: FeatureSet, test: FeatureSet, options: Pick<KnnOptions, 'k' | 'batchSize'> = {}): Neighbours {
  const c = check(train, test, options);
  const p = prepare(train, test, c, false);
  searchInline(p, c.nTest, c.batchSize);
  return { k: c.k, indices: p.outIdx, similarities: p.outSim };
}

/** DINO's weighted k-NN on the calling thread (no workers). */
export function knnClassifySync(train: FeatureSet, test: FeatureSet, options: KnnOptions = {}): KnnResult {
  const start = performance.now();
  const c = check(train, test, options);
  const p = prepare(train, test, c, false);
  searchInline(p, c.nTest, c.batchSize);
  return { ...vote(p, train.labels, test.labels, c), threads: 1, seconds: (performance.now() - start) / 1000 };
}

/**
 * DINO's weighted k-NN, with the search spread over worker threads (Node's
 * worker_threads; small problems, `threads: 1` and hosts other than Node run
 * on the calling thread).
 * Identical results to knnClassifySync.
 */
export async function knnClassify(train: FeatureSet, test: FeatureSet, options: KnnOptions = {}): Promise<KnnResult> {
  const start = performance.now();
  const c = check(train, test, options);
  const requested = options.threads ?? defaultThreads();
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`knn: threads must be a positive integer, got ${requested}`);
  const blocks = Math.ceil(c.nTest / c.batchSize);
  const threads = isNode && sharedAvailable && c.nTrain * c.nTest * c.d >= PARALLEL_MIN_WORK ? Math.min(requested, blocks) : 1;
  const p = prepare(train, test, c, threads > 1);
  if (threads > 1) await searchParallel(p, c.nTest, c.batchSize, threads);
  else searchInline(p, c.nTest, c.batchSize);
  return { ...vote(p, train.labels, test.labels, c), threads, seconds: (performance.now() - start) / 1000 };
}
