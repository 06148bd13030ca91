/** PAWS' sharpen: p^(1/T) renormalised over the classes; grads of Σ sharp_p ⊙ R. */
import { sharpen } from '../../../ssl/sharpen.js';
import { asProbs } from '../../../ssl/cross-entropy-soft.js';
import { configNumber, type Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';

export const pawsSharpen: Component = {
  name: 'paws_sharpen',
  describe: 'PAWS sharpen (temperature T)',
  evaluate(file) {
    const t = configNumber(file, 'T');
    const p = goldenTensor(file, 'inputs', 'p', ['N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['N', 'C']);
    return evaluateCase({ p }, (v) => {
      const sharp = sharpen(asProbs(v['p'] as typeof p, 'C'), t, 'C');
      return { loss: projectedLoss(sharp, r), outputs: { sharp_p: sharp } };
    });
  },
};
