/**
 * SwAV's queue path (main_swav.py train(), the loss block): one step with a
 * full queue ('full/'), and consecutive steps from an empty queue ('fill/'),
 * the state (queue and use_the_queue) carried from one step to the next as
 * the trainer carries it. Gradients are with respect to the scores ('output').
 */
import type { Tensor } from '../../../ir/tensor.js';
import { goldenArray, type GoldenFile } from '../../../io/golden.js';
import { swav, swavQueueState, type Swav, type SwavState } from '../../../ssl/swav.js';
import { tensorOf, type Component, type ComponentValue } from '../component.js';
import { evaluateCase, goldenTensor } from '../layer-case.js';
import { swavLossConfig } from './swav-loss.js';

/** The steps of a case, in order: '<case>/' alone, or '<case>/step0/', '<case>/step1/', … as the inputs name them. */
function stepsOf(file: GoldenFile, name: string): string[] {
  const steps = Object.keys(file.inputs)
    .flatMap((k) => {
      const m = /^(.+)\/step(\d+)\/embedding$/.exec(k);
      return m && m[1] === name ? [Number(m[2])] : [];
    })
    .sort((x, y) => x - y);
  if (steps.length === 0) return [`${name}/`];
  steps.forEach((s, i) => {
    if (s !== i) throw new Error(`inputs.${name}/step${i}/embedding: missing (steps must be numbered 0, 1, …)`);
  });
  return steps.map((s) => `${name}/step${s}/`);
}

/** The loss, codes and queue of one step, and the state after it. */
function step(objective: Swav, file: GoldenFile, prefix: string, prototypes: Tensor<['K', 'D']>, state: SwavState<'D'>) {
  const embedding = goldenTensor(file, 'inputs', `${prefix}embedding`, ['N', 'D']);
  const output = goldenTensor(file, 'inputs', `${prefix}output`, ['N', 'K']);
  const after = objective.loss({ embedding, prototypes, scores: output }, state, 0).state;
  const result = evaluateCase(
    { output },
    (v) => {
      const r = objective.loss({ embedding, prototypes, scores: v['output'] as typeof output }, state, 0);
      const out: Record<string, Tensor> = {};
      r.assignments.forEach((a, i) => {
        out[`sinkhorn_call${i}/input_scores`] = a.sinkhornInput;
        out[`sinkhorn_call${i}/Q_full`] = a.sinkhornOutput;
        out[`q_crop${i}`] = a.codes;
      });
      if (r.state.queue !== undefined) out['queue_after'] = r.state.queue.queue;
      return { loss: r.loss, outputs: out };
    },
    prefix,
  );
  const outputs: Record<string, ComponentValue> = { ...result.outputs, [`${prefix}use_the_queue`]: [after.useTheQueue ? 1 : 0] };
  return { outputs, grads: result.grads, after };
}

/** swav_queue.json: the swapped-prediction loss with SwAV's queue, filled from empty and then used. */
export const swavQueueComponent: Component = {
  name: 'swav_queue',
  describe: "SwAV's loss with the queue (main_swav.py): queue scores before Sinkhorn, queue shift, use_the_queue over steps",
  evaluate(file) {
    const objective = swav(swavLossConfig(file));
    const prototypes = goldenTensor(file, 'params', 'prototypes.weight', ['K', 'D']);
    const cases = Object.keys(file.inputs).flatMap((k) => /^(.+)\/queue_before$/.exec(k)?.[1] ?? []);
    if (cases.length === 0) throw new Error('inputs: no <case>/queue_before (the queue each case starts from)');
    const outputs: Record<string, ComponentValue> = {};
    const grads: Record<string, ComponentValue> = {};
    for (const name of cases) {
      const key = `${name}/queue_before`;
      let state: SwavState<'D'> = { queue: swavQueueState(goldenArray(tensorOf(file, 'inputs', key), ['assign', 'slot', 'D'], key), 'D'), useTheQueue: false };
      for (const prefix of stepsOf(file, name)) {
        const r = step(objective, file, prefix, prototypes, state);
        Object.assign(outputs, r.outputs);
        Object.assign(grads, r.grads);
        state = r.after;
      }
    }
    return { outputs, grads };
  },
};
