import { classAttention } from '../../../nn/xcit/class-attention.js';
import { runLayer } from '../../../nn/layer.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** class_attention.json: CaiT/XCiT class attention (cls query over all tokens; other rows copied from the input). */
export const xcitClassAttention: Component = {
  name: 'class_attention',
  describe: 'XCiT ClassAttention (class token attends over all tokens)',
  evaluate(file) {
    const scale = file.config['scale'];
    const layer = classAttention({ heads: configInt(file, 'num_heads'), ...(typeof scale === 'number' ? { scale } : {}) });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const { y, emitted } = runLayer(layer, withVars(params, v), (v['x'] ?? x) as Tokens);
      return { loss: projectedLoss(y, r), outputs: { y, 'debug/attn_cls_softmax': emitted['attention']! } };
    });
  },
};
