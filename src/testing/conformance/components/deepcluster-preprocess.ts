/**
 * deepcluster_preprocess.json: DeepCluster's preprocess_features (faiss
 * PCAMatrix with eigen_power -0.5, then L2 normalisation), computed in float64.
 *
 * Our eigenvectors follow the numpy_f64 convention (largest-|component|
 * positive), so numpy_f64/* and the sign-invariant Gram matrix are compared
 * directly. faiss/xb carries LAPACK's eigenvector signs, which no property of
 * the data determines; the file records them relative to the numpy convention
 * (config.faiss_column_signs_vs_numpy), and faiss/xb is our xb with those
 * column signs applied, compared at the float32 tolerance (faiss ran in float32).
 */
import type { GoldenFile } from '../../../io/golden.js';
import { goldenArray } from '../../../io/golden.js';
import { gram, pcaWhiten, withColumnSigns } from '../../../ssl/pca-whiten.js';
import type { Component } from '../component.js';
import { configNumber, tensorOf } from '../component.js';

function columnSigns(file: GoldenFile, dims: number): number[] {
  const v = file.config['faiss_column_signs_vs_numpy'];
  if (!Array.isArray(v) || v.length !== dims || v.some((s) => s !== 1 && s !== -1)) {
    throw new Error(`config.faiss_column_signs_vs_numpy: expected ${dims} signs of ±1, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

export const deepclusterPreprocess: Component = {
  name: 'deepcluster_preprocess',
  describe: 'DeepCluster preprocess_features: PCA-whitening (faiss PCAMatrix, eigen_power -0.5) + L2 normalisation',
  evaluate(file) {
    const x = goldenArray(tensorOf(file, 'inputs', 'features'), ['N', 'D'] as const, 'inputs.features');
    const dims = configNumber(file, 'pca');
    const r = pcaWhiten(x, { dims, eigenPower: configNumber(file, 'eigen_power') });
    const outputs: Record<string, ArrayLike<number>> = {
      'numpy_f64/xb': r.features.data,
      'numpy_f64/whitened_before_l2': r.whitened.data,
      'numpy_f64/mean': r.transform.mean,
      'numpy_f64/scatter_eigenvalues_desc': r.transform.eigenvalues,
      'numpy_f64/components': r.transform.components,
      gram_xb_xbT: gram(r.features),
    };
    if (file.outputs['faiss/xb'] !== undefined) outputs['faiss/xb'] = withColumnSigns(r.features, columnSigns(file, dims)).data;
    return { outputs, grads: {} };
  },
};
