import { vitBlock } from '../../../nn/vit/block.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** vit_block.json: DINO's pre-norm transformer block (output, attention of LN(x; norm1), gradients). */
export const vitBlockComponent: Component = {
  name: 'vit_block',
  describe: 'DINO ViT Block (pre-norm attention + MLP, no layer scale)',
  evaluate(file) {
    const eps = file.config['layernorm_eps'];
    const layer = vitBlock({
      heads: configInt(file, 'num_heads'),
      mlpHidden: dimOf(file, 'params', 'mlp.fc1.weight', 0),
      qkvBias: file.params['attn.qkv.bias'] !== undefined,
      ...(typeof eps === 'number' ? { eps } : {}),
    });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const { y, attn } = layer.withAttention(withVars(params, v), (v['x'] ?? x) as Tokens);
      return { loss: projectedLoss(y, r), outputs: { y, attn } };
    });
  },
};
