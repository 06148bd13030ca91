/**
 * Worker-thread entry for the parallel k-NN search (Node only). The features and
 * the result arrays live in SharedArrayBuffers; workers take blocks of queries
 * from a shared counter until none are left, then post 'done'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { searchQueries, searchScratch } from './knn-search.js';

export interface KnnWorkerData {
  readonly train: SharedArrayBuffer;
  readonly test: SharedArrayBuffer;
  readonly outSim: SharedArrayBuffer;
  readonly outIdx: SharedArrayBuffer;
  /** One Int32: the next block to take. */
  readonly counter: SharedArrayBuffer;
  readonly nTrain: number;
  readonly nTest: number;
  readonly d: number;
  readonly k: number;
  readonly batchSize: number;
}

function main(data: KnnWorkerData): void {
  const problem = {
    train: new Float32Array(data.train, 0, data.nTrain * data.d),
    nTrain: data.nTrain,
    test: new Float32Array(data.test, 0, data.nTest * data.d),
    d: data.d,
    k: data.k,
    outSim: new Float64Array(data.outSim),
    outIdx: new Int32Array(data.outIdx),
  };
  const counter = new Int32Array(data.counter);
  const scratch = searchScratch(data.batchSize, data.d);
  for (;;) {
    const q0 = Atomics.add(counter, 0, 1) * data.batchSize;
    if (q0 >= data.nTest) break;
    searchQueries(problem, q0, Math.min(data.nTest, q0 + data.batchSize), scratch);
  }
}

if (parentPort) {
  try {
    main(workerData as KnnWorkerData);
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}
