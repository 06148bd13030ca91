import { xca } from '../../../nn/xcit/xca.js';
import { runLayer } from '../../../nn/layer.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** xca.json: XCiT's cross-covariance attention (output, attention map, gradients). */
export const xcitXca: Component = {
  name: 'xca',
  describe: 'XCiT XCA (cross-covariance attention)',
  evaluate(file) {
    const layer = xca({ heads: configInt(file, 'num_heads') });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const { y, emitted } = runLayer(layer, withVars(params, v), (v['x'] ?? x) as Tokens);
      return { loss: projectedLoss(y, r), outputs: { y, 'debug/attn_softmax': emitted['attention']! } };
    });
  },
};
