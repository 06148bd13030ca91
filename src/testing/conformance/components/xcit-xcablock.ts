import { xcaBlock } from '../../../nn/xcit/xca-block.js';
import { runLayer } from '../../../nn/layer.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** xcablock.json: XCiT's XCABlock in eval mode (XCA, then LPI with norm3/gamma3, then MLP). */
export const xcitXcaBlock: Component = {
  name: 'xcablock',
  describe: 'XCiT XCABlock (eval)',
  evaluate(file) {
    const eps = file.config['layernorm_eps'];
    const layer = xcaBlock({
      heads: configInt(file, 'num_heads'),
      mlpRatio: configNumber(file, 'mlp_ratio'),
      // The hidden width as stored (int(dim · mlp_ratio) in the reference), so a ratio whose product rounds differently cannot mislead.
      mlpHidden: dimOf(file, 'params', 'mlp.fc1.weight', 0),
      grid: { H: configInt(file, 'H'), W: configInt(file, 'W') },
      ...(typeof eps === 'number' ? { eps } : {}),
    });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    const training = file.config['mode'] === 'train';
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const { y } = runLayer(layer, withVars(params, v), (v['x'] ?? x) as Tokens, { training });
      return { loss: projectedLoss(y, r), outputs: { y } };
    });
  },
};
