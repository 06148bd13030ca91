/**
 * deepcluster_unif_sampler.json: UnifLabelSampler with numpy's legacy
 * MT19937 seeded as np.random.seed(S) (reproduced bit for bit, including the
 * per-cluster draws and the shuffle), cluster_assign's reassigned dataset, and
 * the items the official DataLoader loads for each sampler index.
 */
import { goldenData } from '../../../io/golden.js';
import { clusterAssign, loadedItems, unflattenLists, unifLabelSampler } from '../../../ssl/uniform-sampler.js';
import type { Component } from '../component.js';
import { tensorOf } from '../component.js';

function caseConfig(cases: unknown, name: string): { N: number } {
  const c = (cases as Record<string, unknown> | undefined)?.[name];
  const n = (c as { N?: unknown } | undefined)?.N;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`config.cases.${name}.N: expected a non-negative integer, got ${JSON.stringify(n)}`);
  return { N: n };
}

export const deepclusterUnifSampler: Component = {
  name: 'deepcluster_unif_sampler',
  describe: 'DeepCluster UnifLabelSampler (numpy legacy MT19937) + cluster_assign / ReassignedDataset',
  evaluate(file) {
    const outputs: Record<string, ArrayLike<number>> = {};
    const bases = Object.keys(file.inputs)
      .filter((k) => k.endsWith('/images_lists_flat'))
      .map((k) => k.slice(0, -'/images_lists_flat'.length));
    const cases = file.config['cases'];
    for (const base of bases) {
      const lists = unflattenLists(goldenData(tensorOf(file, 'inputs', `${base}/images_lists_flat`)), goldenData(tensorOf(file, 'inputs', `${base}/images_lists_sizes`)));
      const dataset = clusterAssign(lists);
      outputs[`${base}/reassigned_image_index`] = dataset.imageIndex;
      outputs[`${base}/reassigned_pseudolabel`] = dataset.pseudolabel;
      const subs = new Set(
        Object.keys(file.outputs)
          .filter((k) => k.startsWith(`${base}/`) && k.endsWith('/indexes'))
          .map((k) => k.slice(base.length + 1, -'/indexes'.length)),
      );
      for (const sub of subs) {
        const m = /^seed(\d+)_reassign[0-9.]+$/.exec(sub);
        if (m === null) throw new Error(`outputs.${base}/${sub}: the sub-case name must read seed<S>_reassign<r>`);
        const seed = Number(m[1]);
        // N = int(reassign · number of images), as main.py computes it; the file records it per case.
        const { N } = caseConfig(cases, `${base}/${sub}`);
        const s = unifLabelSampler(N, lists, { numpySeed: seed });
        const loaded = loadedItems(dataset, s.indexes);
        const p = `${base}/${sub}/`;
        outputs[`${p}indexes`] = s.indexes;
        outputs[`${p}debug/per_cluster_draws_flat`] = s.draws;
        outputs[`${p}debug/shuffle_permutation`] = s.permutation;
        outputs[`${p}loaded_image_index`] = loaded.imageIndex;
        outputs[`${p}loaded_pseudolabel`] = loaded.pseudolabel;
      }
    }
    return { outputs, grads: {} };
  },
};
