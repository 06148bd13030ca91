/**
 * SwAV's loss inside train(): prototype normalisation, Sinkhorn codes for the
 * assignment crops (with and without the queue), swapped prediction. Gradients
 * with respect to the scores, the normalised embedding, the projection output
 * before normalisation, and the normalised prototypes.
 */
import type { Tensor } from '../../../ir/tensor.js';
import { goldenArray, type GoldenFile } from '../../../io/golden.js';
import { l2Normalize } from '../../../ops/normalization.js';
import { swav, swavQueueState, type SwavState } from '../../../ssl/swav.js';
import { configNumber, configValue, tensorOf, type Component, type ComponentValue } from '../component.js';
import { evaluateCase, goldenTensor } from '../layer-case.js';

const isNumberList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** The loss settings of main_swav.py that a SwAV golden file's config records (swav_loss and swav_queue). */
export function swavLossConfig(file: GoldenFile) {
  return {
    nmbCrops: configValue(file, 'nmb_crops', isNumberList, 'a list of numbers'),
    cropsForAssign: configValue(file, 'crops_for_assign', isNumberList, 'a list of numbers'),
    temperature: configNumber(file, 'temperature'),
    epsilon: configNumber(file, 'epsilon'),
    sinkhornIterations: configNumber(file, 'sinkhorn_iterations'),
    queueLength: configNumber(file, 'queue_length'),
  };
}
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export const swavLoss: Component = {
  name: 'swav_loss',
  describe: 'SwAV swapped-prediction loss with prototype normalisation, Sinkhorn codes and the queue',
  evaluate(file) {
    const objective = swav({ ...swavLossConfig(file), freezePrototypesNiters: configNumber(file, 'freeze_prototypes_niters') });
    const cases = file.config['cases'] === undefined ? ['no_queue', 'with_queue'] : configValue(file, 'cases', isStringList, 'a list of case names');
    const projection = goldenTensor(file, 'inputs', 'projection_output_before_l2norm', ['N', 'D']);
    const rawPrototypes = goldenTensor(file, 'params', 'prototypes.weight', ['K', 'D']);
    const iteration = 0;
    const outputs: Record<string, ComponentValue> = {};
    const grads: Record<string, ComponentValue> = {};
    for (const name of cases) {
      const queueKey = `${name}/queue_before`;
      const state: SwavState<'D'> = {
        queue: file.inputs[queueKey] === undefined ? undefined : swavQueueState(goldenArray(tensorOf(file, 'inputs', queueKey), ['assign', 'slot', 'D'], queueKey), 'D'),
        useTheQueue: false,
      };
      const prototypes = objective.normalizePrototypes(rawPrototypes) as Tensor<['K', 'D']>;
      const main = evaluateCase(
        { projection_output_before_l2norm: projection, 'prototypes.weight': prototypes },
        (v) => {
          const embedding = l2Normalize(v['projection_output_before_l2norm'] as typeof projection, 'D');
          const r = objective.loss({ embedding, prototypes: v['prototypes.weight'] as typeof prototypes }, state, iteration);
          const out: Record<string, Tensor> = { prototypes_weight_normalized: prototypes, embedding, scores: r.scores };
          r.assignments.forEach((a, i) => {
            out[`sinkhorn_call${i}/input_scores`] = a.sinkhornInput;
            out[`sinkhorn_call${i}/Q_full`] = a.sinkhornOutput;
            out[`q_crop${a.view}`] = a.codes;
          });
          if (r.state.queue !== undefined) out['queue_after'] = r.state.queue.queue;
          return { loss: r.loss, outputs: out };
        },
        `${name}/`,
      );
      Object.assign(outputs, main.outputs);
      Object.assign(grads, main.grads);
      // d loss / d embedding (normalised) and d loss / d scores, each as the variable.
      const embeddingConst = l2Normalize(projection, 'D');
      const byEmbedding = evaluateCase({ embedding: embeddingConst }, (v) => ({
        loss: objective.loss({ embedding: v['embedding'] as typeof embeddingConst, prototypes }, state, iteration).loss,
        outputs: {},
      }), `${name}/`);
      const scores = objective.loss({ embedding: embeddingConst, prototypes }, state, iteration).scores;
      const byScores = evaluateCase({ scores }, (v) => ({
        loss: objective.loss({ embedding: embeddingConst, prototypes, scores: v['scores'] as typeof scores }, state, iteration).loss,
        outputs: {},
      }), `${name}/`);
      grads[`${name}/embedding`] = byEmbedding.grads[`${name}/embedding`]!;
      grads[`${name}/scores`] = byScores.grads[`${name}/scores`]!;
    }
    return { outputs, grads };
  },
};
