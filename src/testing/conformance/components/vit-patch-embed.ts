import { vitPatchEmbed, type VitImage, type VitPatchEmbedParams } from '../../../nn/vit/patch-embed.js';
import type { Tensor } from '../../../ir/tensor.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { gradTargets, withVars } from './xcit-case.js';

/** vit_patch_embed.json: DINO's PatchEmbed (strided Conv2d to tokens; trailing pixels dropped). */
export const vitPatchEmbedComponent: Component = {
  name: 'vit_patch_embed',
  describe: 'DINO ViT PatchEmbed (Conv2d kernel = stride = patch, then tokens)',
  evaluate(file) {
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'C', 'H', 'W']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const unknown = Object.keys(file.params).filter((k) => k !== 'proj.weight' && k !== 'proj.bias');
    if (unknown.length > 0) throw new Error(`params ${unknown.join(', ')}: not parameters of PatchEmbed (it has proj.weight, proj.bias)`);
    const params: VitPatchEmbedParams = { proj: { weight: goldenTensor(file, 'params', 'proj.weight', ['E', 'C', 'KH', 'KW']), bias: goldenTensor(file, 'params', 'proj.bias', ['E']) } };
    return evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const y = vitPatchEmbed(withVars(params, v), (v['x'] ?? x) as Tensor<VitImage>);
      return { loss: projectedLoss(y, r), outputs: { y } };
    });
  },
};
