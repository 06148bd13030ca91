/** Evaluation of learned features: DINO's weighted k-NN, a linear probe, clustering scores, baselines and the results table. */
export { type FeatureSet } from './features.js';
export { knnClassify, knnClassifySync, knnNeighbours, l2NormalizeRows, type KnnOptions, type KnnResult, type Neighbours } from './knn.js';
export { linearProbe, standardization, defaultProbeBackend, type LinearProbeOptions, type LinearProbeResult, type ProbeBackend } from './linear-probe.js';
export { clusterQuality, type ClusterQuality, type ClusterQualityOptions } from './cluster-quality.js';
export { normalizedMutualInfo, adjustedRand, mutualInfo, pairConfusion, contingency, type Contingency, type Labels } from './clustering.js';
export {
  extractFeatures, evaluateFeatures, evaluateExtractor, rawPixelBaseline, compareWithBaselines,
  type FeatureFn, type LabelledImages, type ExtractOptions, type EvaluateOptions, type EvaluatedRow, type ComparisonOptions,
} from './baselines.js';
export { formatResults, resultsJson, type ResultRow, type ReportOptions, type ResultsJson } from './report.js';
export { snnClassify, type SnnOptions, type SnnResult } from './snn-classify.js';
