import { affine } from '../../../nn/resmlp/affine.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';

export const resmlpAffine: Component = {
  name: 'resmlp_affine',
  describe: 'ResMLP Affine (alpha ⊙ x + beta)',
  evaluate(file) {
    const layer = affine('C');
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const wrt = { x, alpha: goldenTensor(file, 'params', 'alpha', ['C']), beta: goldenTensor(file, 'params', 'beta', ['C']) };
    return evaluateCase(wrt, (v) => {
      const y = layer.apply({ alpha: v['alpha'] as typeof wrt.alpha, beta: v['beta'] as typeof wrt.beta }, v['x'] as typeof x);
      return { loss: projectedLoss(y, r), outputs: { y } };
    });
  },
};
