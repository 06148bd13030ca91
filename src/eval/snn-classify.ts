/**
 * Soft nearest-neighbour classification against a small labelled support set
 * (PAWS' evaluation, "PAWS-NN"): each query's class distribution is the
 * softmax over cosine similarities with every support, divided by τ, times
 * the supports' one-hot labels; the prediction is the most probable class.
 */
import { classCount, splitShapes, type FeatureSet } from './features.js';

/** Settings of the soft nearest-neighbour classifier. */
export interface SnnOptions {
  /** Temperature of the similarities (default 0.1, PAWS' τ). */
  readonly tau?: number;
  readonly numClasses?: number;
}

/** Soft nearest-neighbour accuracy and predictions. */
export interface SnnResult {
  /** Top-1 accuracy in percent. */
  readonly top1: number;
  readonly predictions: Int32Array;
}

function normalised(x: Float32Array | Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j]! * inv;
  }
  return out;
}

/** PAWS' soft nearest-neighbour classifier: each query takes the softmax-weighted (cosine similarity / τ) average of the supports' one-hot labels; top-1 accuracy. */
export function snnClassify(support: FeatureSet, queries: FeatureSet, options: SnnOptions = {}): SnnResult {
  const tau = options.tau ?? 0.1;
  if (!(tau > 0)) throw new RangeError(`snnClassify: tau must be positive, got ${tau}`);
  const { nTrain: ns, nTest: nq, d } = splitShapes(support, queries, 'snnClassify');
  const k = classCount([support.labels, queries.labels], options.numClasses, 'snnClassify');
  const s = normalised(support.features, ns, d);
  const q = normalised(queries.features, nq, d);
  const predictions = new Int32Array(nq);
  const logits = new Float64Array(ns);
  const probs = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < nq; i++) {
    let max = -Infinity;
    for (let j = 0; j < ns; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += q[i * d + t]! * s[j * d + t]!;
      logits[j] = dot / tau;
      if (logits[j]! > max) max = logits[j]!;
    }
    probs.fill(0);
    for (let j = 0; j < ns; j++) {
      const c = support.labels[j]!;
      probs[c] = probs[c]! + Math.exp(logits[j]! - max);
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[c]! > probs[best]!) best = c;
    predictions[i] = best;
    if (best === queries.labels[i]) correct++;
  }
  return { top1: (100 * correct) / nq, predictions };
}
