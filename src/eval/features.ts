/**
 * Features at the evaluation boundary: plain row-major n×d arrays with one
 * label per row, as every evaluation here takes them.
 */

/** Row-major n×d features and their n labels (d = features.length / labels.length). */
export interface FeatureSet {
  readonly features: Float32Array | Float64Array;
  readonly labels: Uint8Array;
}

/** The rows and dimension of a feature set, with clear errors for a malformed one. */
export function featureShape(set: FeatureSet, what: string, fn: string): { n: number; d: number } {
  if (!(set.features instanceof Float32Array || set.features instanceof Float64Array)) throw new TypeError(`${fn}: ${what} features must be a Float32Array or Float64Array`);
  if (!(set.labels instanceof Uint8Array)) throw new TypeError(`${fn}: ${what} labels must be a Uint8Array`);
  const n = set.labels.length;
  if (n === 0) throw new RangeError(`${fn}: the ${what} set is empty`);
  const d = set.features.length / n;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: ${set.features.length} ${what} feature values do not split into ${n} rows (one per label)`);
  return { n, d };
}

/** Train and test shapes, checking that the dimensions agree. */
export function splitShapes(train: FeatureSet, test: FeatureSet, fn: string): { nTrain: number; nTest: number; d: number } {
  const tr = featureShape(train, 'train', fn);
  const te = featureShape(test, 'test', fn);
  if (tr.d !== te.d) throw new RangeError(`${fn}: train features have dimension ${tr.d}, test features ${te.d}`);
  return { nTrain: tr.n, nTest: te.n, d: tr.d };
}

/** numClasses, or one more than the largest label; throws when a label is not below it. */
export function classCount(labels: readonly Uint8Array[], numClasses: number | undefined, fn: string): number {
  let maxLabel = 0;
  for (const ls of labels) for (const l of ls) if (l > maxLabel) maxLabel = l;
  const k = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${fn}: numClasses must be a positive integer, got ${k}`);
  if (maxLabel >= k) throw new RangeError(`${fn}: label ${maxLabel} is not below numClasses = ${k}`);
  return k;
}
