import { convPatchEmbed, type Images } from '../../../nn/xcit/conv-patch-embed.js';
import type { Tensor } from '../../../ir/tensor.js';
import type { ApplyContext } from '../../../nn/layer.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss, type CaseResult } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';

/** conv_patch_embed.json: XCiT's convolutional patch embedding (stride-2 conv3x3+BN stages), eval/ and train/. */
export const xcitConvPatchEmbed: Component = {
  name: 'conv_patch_embed',
  describe: 'XCiT ConvPatchEmbed (conv3x3 stride 2 + BatchNorm stages, GELU between)',
  evaluate(file) {
    const layer = convPatchEmbed({ patch: configInt(file, 'patch_size') });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'Cin', 'H', 'W']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'R', 2), Cin: dimOf(file, 'inputs', 'x', 1) }));
    let hpwp = new Float64Array(0);
    const cases = (['eval', 'train'] as const).map((mode): CaseResult => {
      const result = evaluateCase(
        gradTargets(file, `${mode}/`, { x }, params),
        (v) => {
          const emitted: Record<string, Tensor> = {};
          const ctx: ApplyContext = { training: mode === 'train', key: undefined, path: [], emit: (k, t) => (emitted[`${k}_after`] = t) };
          const { tokens, grid } = layer.embed(withVars(params, v), (v['x'] ?? x) as Images, ctx);
          hpwp = Float64Array.of(grid.H, grid.W);
          return { loss: projectedLoss(tokens, r), outputs: { tokens, ...emitted } };
        },
        `${mode}/`,
      );
      return { outputs: { ...result.outputs, [`${mode}/Hp_Wp`]: hpwp }, grads: result.grads };
    });
    return { outputs: Object.assign({}, ...cases.map((c) => c.outputs)), grads: Object.assign({}, ...cases.map((c) => c.grads)) };
  },
};
