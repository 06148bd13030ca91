import type { Tensor } from '../../../ir/tensor.js';
import type { GoldenFile } from '../../../io/golden.js';
import { resmlpBlock, type ResMlpBlockParams, type ResMlpTokens } from '../../../nn/resmlp/resmlp-block.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';

/** Our axis names for each parameter of a ResMLP block, by its state_dict name (without the block prefix). */
export const resmlpBlockAxes: Readonly<Record<string, string[]>> = {
  gamma_1: ['C'],
  gamma_2: ['C'],
  'norm1.alpha': ['C'],
  'norm1.beta': ['C'],
  'norm2.alpha': ['C'],
  'norm2.beta': ['C'],
  'attn.weight': ["N'", 'N'],
  'attn.bias': ['N'],
  'mlp.fc1.weight': ['D', 'C'],
  'mlp.fc1.bias': ['D'],
  'mlp.fc2.weight': ['C', 'D'],
  'mlp.fc2.bias': ['C'],
};

/** Every params entry of the file as a tensor, with axes chosen by name (unknown names are an error). */
export function goldenParams(file: GoldenFile, axesOf: (name: string) => string[] | undefined): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(file.params)) {
    const axes = axesOf(name);
    if (axes === undefined) throw new Error(`params.${name}: not a parameter of this module`);
    out[name] = goldenTensor(file, 'params', name, axes);
  }
  return out;
}

/** The tensors to differentiate: those the file has gradients for (the rest stay constants). */
export function differentiable(all: Readonly<Record<string, Tensor>>, file: GoldenFile): Record<string, Tensor> {
  return Object.fromEntries(Object.keys(file.grads).map((k) => {
    const t = all[k];
    if (t === undefined) throw new Error(`grads.${k}: no input or parameter of that name`);
    return [k, t];
  }));
}

export function need(t: Readonly<Record<string, Tensor>>, name: string): Tensor {
  const v = t[name];
  if (v === undefined) throw new Error(`params.${name}: missing from the golden file`);
  return v;
}

/** A block's parameter tree from flat state_dict names under `prefix` ('' or 'blocks.3.'). */
export function resmlpBlockParams(t: Readonly<Record<string, Tensor>>, prefix = ''): ResMlpBlockParams {
  const g = (name: string) => need(t, prefix + name) as never;
  return {
    norm1: { alpha: g('norm1.alpha'), beta: g('norm1.beta') },
    attn: { weight: g('attn.weight'), bias: g('attn.bias') },
    gamma_1: g('gamma_1'),
    norm2: { alpha: g('norm2.alpha'), beta: g('norm2.beta') },
    mlp: { fc1: { weight: g('mlp.fc1.weight'), bias: g('mlp.fc1.bias') }, fc2: { weight: g('mlp.fc2.weight'), bias: g('mlp.fc2.bias') } },
    gamma_2: g('gamma_2'),
  };
}

export const resmlpBlockComponent: Component = {
  name: 'resmlp_block',
  describe: 'ResMLP layers_scale_mlp_blocks (Affine, cross-patch Linear, layer scale, MLP)',
  evaluate(file) {
    // init_values only sets the initial gammas; the file's own gammas are used.
    const layer = resmlpBlock(typeof file.config['init_values'] === 'number' ? { initValues: configNumber(file, 'init_values') } : {});
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const all = { x, ...goldenParams(file, (n) => resmlpBlockAxes[n]) };
    return evaluateCase(differentiable(all, file), (v) => {
      const t = { ...all, ...v };
      const y = layer.apply(resmlpBlockParams(t), need(t, 'x') as Tensor<ResMlpTokens>);
      return { loss: projectedLoss(y, r), outputs: { y } };
    });
  },
};
