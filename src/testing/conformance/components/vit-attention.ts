import { vitAttention } from '../../../nn/vit/attention.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** vit_attention.json: DINO's token self-attention (output, attention map, gradients). */
export const vitAttentionComponent: Component = {
  name: 'vit_attention',
  describe: 'DINO ViT Attention (multi-head token self-attention)',
  evaluate(file) {
    const scale = file.config['scale'];
    const layer = vitAttention({ heads: configInt(file, 'num_heads'), qkvBias: file.params['qkv.bias'] !== undefined, ...(typeof scale === 'number' ? { scale } : {}) });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const { y, attn } = layer.withMap(withVars(params, v), (v['x'] ?? x) as Tokens);
      return { loss: projectedLoss(y, r), outputs: { y, attn, 'debug/attn': attn } };
    });
  },
};
