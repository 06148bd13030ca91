import type { Tensor } from '../../../ir/tensor.js';
import { resmlp, type ResMlpImage, type ResMlpParams } from '../../../nn/resmlp/resmlp.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { differentiable, goldenParams, need, resmlpBlockAxes, resmlpBlockParams } from './resmlp-block.js';

const modelAxes: Readonly<Record<string, string[]>> = {
  'patch_embed.proj.weight': ['E', 'C', 'KH', 'KW'],
  'patch_embed.proj.bias': ['E'],
  'norm.alpha': ['C'],
  'norm.beta': ['C'],
  'head.weight': ['K', 'C'],
  'head.bias': ['K'],
};

function axesOf(name: string): string[] | undefined {
  const block = /^blocks\.\d+\.(.+)$/.exec(name);
  return block ? resmlpBlockAxes[block[1]!] : modelAxes[name];
}

export const resmlpModelComponent: Component = {
  name: 'resmlp_model',
  describe: 'ResMLP model (patch embedding, blocks, Affine, token mean, head)',
  evaluate(file) {
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'C', 'H', 'W']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'K']);
    const all = { x, ...goldenParams(file, axesOf) };
    const w = need(all, 'patch_embed.proj.weight');
    const indices = Object.keys(file.params).flatMap((k) => /^blocks\.(\d+)\./.exec(k)?.[1] ?? []).map(Number);
    const depth = typeof file.config['depth'] === 'number' ? configNumber(file, 'depth') : indices.length === 0 ? 0 : Math.max(...indices) + 1;
    const model = resmlp({
      imgSize: [x.size('H'), x.size('W')],
      patchSize: w.sizes[2]!,
      inChans: w.sizes[1]!,
      embedDim: w.sizes[0]!,
      depth,
      numClasses: need(all, 'head.weight').sizes[0]!,
      initScale: typeof file.config['init_scale'] === 'number' ? configNumber(file, 'init_scale') : 1e-4,
    });
    return evaluateCase(differentiable(all, file), (v) => {
      const t = { ...all, ...v };
      const g = (name: string) => need(t, name) as never;
      const params: ResMlpParams = {
        patch_embed: { proj: { weight: g('patch_embed.proj.weight'), bias: g('patch_embed.proj.bias') } },
        blocks: Array.from({ length: depth }, (_, k) => resmlpBlockParams(t, `blocks.${k}.`)),
        norm: { alpha: g('norm.alpha'), beta: g('norm.beta') },
        head: { weight: g('head.weight'), bias: g('head.bias') },
      };
      const logits = model.apply(params, need(t, 'x') as Tensor<ResMlpImage>);
      return { loss: projectedLoss(logits, r), outputs: { logits } };
    });
  },
};
