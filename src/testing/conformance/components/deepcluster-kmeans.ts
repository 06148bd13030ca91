/**
 * deepcluster_kmeans.json: Lloyd k-means as faiss.Clustering (niter from the
 * config) from the file's initial centroids, then run_kmeans' final
 * assignment, Kmeans.cluster's images_lists and arrange_clustering.
 *
 * faiss/* hold real faiss results computed in float32: final_centroids_float32
 * (dtype float32, compared at the float32 tolerance) and iteration_obj, whose
 * values are float32 sums of float32 distances stored with dtype float64 —
 * ours are the float64 objectives, within ~2e-7 relative of faiss'; they can
 * only match at a float32 tolerance (see toleranceFor).
 */
import { goldenArray } from '../../../io/golden.js';
import { lloyd } from '../../../ssl/kmeans.js';
import { arrangeClustering } from '../../../ssl/uniform-sampler.js';
import type { Component, Tolerance } from '../component.js';
import { configNumber, tensorOf } from '../component.js';

/** The runner's float32 tolerance. */
const float32Tolerance: Tolerance = { atol: 1e-5, rtol: 0 };

/** Every faiss/* output was computed by faiss in float32, whatever dtype it is stored with, so it gets the float32 tolerance. */
export const deepclusterKmeans: Component & Required<Pick<Component, 'toleranceFor'>> = {
  toleranceFor: (_section, key) => (key.startsWith('faiss/') ? float32Tolerance : undefined),
  name: 'deepcluster_kmeans',
  describe: 'DeepCluster run_kmeans: faiss Lloyd k-means from given centroids, images_lists, arrange_clustering',
  evaluate(file) {
    const x = goldenArray(tensorOf(file, 'inputs', 'x'), ['N', 'D'] as const, 'inputs.x');
    const init = goldenArray(tensorOf(file, 'inputs', 'init_centroids'), ['K', 'D'] as const, 'inputs.init_centroids');
    const niter = configNumber(file, 'niter');
    const k = configNumber(file, 'k');
    if (init.sizes[0] !== k) throw new Error(`inputs.init_centroids: ${init.sizes[0]} rows but config.k is ${k}`);
    const r = lloyd(x, init, { niter });
    const outputs: Record<string, ArrayLike<number>> = {};
    const width = Math.max(2, String(niter - 1).length);
    r.iterations.forEach((it, i) => {
      const p = `iter${String(i).padStart(width, '0')}/`;
      outputs[`${p}assign`] = it.assign;
      outputs[`${p}obj`] = [it.objective];
      outputs[`${p}centroids_after_update`] = it.centroids.data;
    });
    outputs['final/assign'] = r.assign;
    outputs['final/centroids'] = r.centroids.data;
    outputs['final/images_lists_flat'] = r.imagesLists.flat();
    outputs['final/images_lists_sizes'] = r.imagesLists.map((l) => l.length);
    outputs['final/arrange_clustering'] = arrangeClustering(r.imagesLists);
    outputs['faiss/final_centroids_float32'] = r.centroids.data;
    outputs['faiss/iteration_obj'] = r.objectives;
    return { outputs, grads: {} };
  },
};
