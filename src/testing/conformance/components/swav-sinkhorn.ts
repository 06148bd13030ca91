/** SwAV's distributed_sinkhorn at world size 1, one run per case of the file's config. */
import { evaluate } from '../../../ops/interpret.js';
import { sinkhorn } from '../../../ssl/sinkhorn.js';
import type { Component } from '../component.js';
import { goldenTensor } from '../layer-case.js';

export const swavSinkhorn: Component = {
  name: 'swav_sinkhorn',
  describe: 'SwAV Sinkhorn-Knopp codes (fixed iterations, no max-subtraction)',
  evaluate(file) {
    const cases = file.config['cases'];
    if (typeof cases !== 'object' || cases === null) throw new Error('config.cases: expected an object of cases');
    const outputs: Record<string, Float64Array> = {};
    for (const [name, raw] of Object.entries(cases as Record<string, Record<string, unknown>>)) {
      const epsilon = raw['epsilon'];
      const iterations = raw['sinkhorn_iterations'];
      if (typeof epsilon !== 'number' || typeof iterations !== 'number') throw new Error(`config.cases.${name}: needs numbers epsilon and sinkhorn_iterations`);
      const scores = goldenTensor(file, 'inputs', `${name}/scores`, ['B', 'K']);
      outputs[`${name}/Q`] = evaluate(sinkhorn(scores, 'K', { iterations, epsilon })).data;
    }
    return { outputs, grads: {} };
  },
};
