/** PAWS' soft nearest neighbours; grads of Σ probs ⊙ R for the queries and supports. */
import { snn } from '../../../ssl/snn.js';
import { configNumber, type Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';

export const pawsSnn: Component = {
  name: 'paws_snn',
  describe: 'PAWS soft nearest neighbours classifier',
  evaluate(file) {
    const tau = configNumber(file, 'tau');
    const query = goldenTensor(file, 'inputs', 'query', ['Q', 'D']);
    const supports = goldenTensor(file, 'inputs', 'supports', ['S', 'D']);
    const labels = goldenTensor(file, 'inputs', 'labels', ['S', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['Q', 'C']);
    return evaluateCase({ query, supports }, (v) => {
      const probs = snn(v['query'] as typeof query, v['supports'] as typeof supports, labels, tau);
      return { loss: projectedLoss(probs, r), outputs: { probs } };
    });
  },
};
