import { classAttentionBlock } from '../../../nn/xcit/class-attention-block.js';
import { runLayer } from '../../../nn/layer.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss, type CaseResult } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** class_attention_block.json: ClassAttentionBlock with tokens_norm false and true (the official doubling of patch rows included). */
export const xcitClassAttentionBlock: Component = {
  name: 'class_attention_block',
  describe: 'XCiT ClassAttentionBlock (tokens_norm false / true)',
  evaluate(file) {
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const eps = file.config['layernorm_eps'];
    const common = {
      heads: configInt(file, 'num_heads'),
      mlpRatio: configNumber(file, 'mlp_ratio'),
      // The hidden width as stored (int(dim · mlp_ratio) in the reference), so a ratio whose product rounds differently cannot mislead.
      mlpHidden: dimOf(file, 'params', 'mlp.fc1.weight', 0),
      ...(typeof eps === 'number' ? { eps } : {}),
    };
    const cases = (['tokens_norm_false', 'tokens_norm_true'] as const).map((name): CaseResult => {
      const layer = classAttentionBlock({ ...common, tokensNorm: name === 'tokens_norm_true' });
      const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
      return evaluateCase(
        gradTargets(file, `${name}/`, { x }, params),
        (v) => {
          const { y } = runLayer(layer, withVars(params, v), (v['x'] ?? x) as Tokens);
          return { loss: projectedLoss(y, r), outputs: { y } };
        },
        `${name}/`,
      );
    });
    return { outputs: Object.assign({}, ...cases.map((c) => c.outputs)), grads: Object.assign({}, ...cases.map((c) => c.grads)) };
  },
};
