import type { Tensor } from '../../../ir/tensor.js';
import type { ApplyContext } from '../../../nn/layer.js';
import { dinoHead, type DinoHeadParams, type DinoMlpEntry } from '../../../nn/dino-head.js';
import type { Component } from '../component.js';
import { configNumber, configValue } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { differentiable, goldenParams, need } from './resmlp-block.js';

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/**
 * Axes of the DINO head's parameters by state_dict name. The mlp's Linear
 * layers are found by shape: the first reads C, the last writes Z, the others
 * are H -> H; BatchNorm1d entries (use_bn) are over H.
 */
function axesFor(nlayers: number, useBn: boolean): (name: string) => string[] | undefined {
  const linearIndex = (i: number) => i * (useBn ? 3 : 2);
  const last = linearIndex(nlayers - 1);
  return (name) => {
    if (name === 'last_layer.weight_g') return ['K', '1'];
    if (name === 'last_layer.weight_v') return ['K', 'Z'];
    if (nlayers === 1) return name === 'mlp.weight' ? ['Z', 'C'] : name === 'mlp.bias' ? ['Z'] : undefined;
    const m = /^mlp\.(\d+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$/.exec(name);
    if (!m) return undefined;
    const i = Number(m[1]);
    const field = m[2]!;
    if (useBn && i % 3 === 1) return field === 'num_batches_tracked' ? [] : ['H'];
    if (i % (useBn ? 3 : 2) !== 0 || i > last) return undefined;
    const out = i === last ? 'Z' : i === 0 ? 'H' : "H'";
    const inAxis = i === 0 ? 'C' : 'H';
    if (field === 'weight') return [out, inAxis];
    return field === 'bias' ? [i === last ? 'Z' : 'H'] : undefined;
  };
}

export const dinoHeadComponent: Component = {
  name: 'dino_head',
  describe: 'DINOHead (MLP, L2-normalised bottleneck, weight-normalised last layer)',
  evaluate(file) {
    const nlayers = Math.max(configNumber(file, 'nlayers'), 1);
    const useBn = configValue(file, 'use_bn', isBoolean, 'a boolean');
    const normLastLayer = configValue(file, 'norm_last_layer', isBoolean, 'a boolean');
    // A freshly built nn.Module is in training mode: with use_bn its BatchNorm1d uses batch statistics
    // unless the file says mode 'eval' (the public file has no BatchNorm, where the mode is moot).
    const mode = file.config['mode'] ?? 'train';
    const ctx: ApplyContext = { training: mode !== 'eval', key: undefined, path: [], emit: () => {} };
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'K']);
    const all = { x, ...goldenParams(file, axesFor(nlayers, useBn)) };
    const v = need(all, 'last_layer.weight_v');
    const head = dinoHead({
      inDim: x.size('C'),
      outDim: v.sizes[0]!,
      bottleneckDim: v.sizes[1]!,
      hiddenDim: nlayers > 1 ? need(all, 'mlp.0.weight').sizes[0]! : configNumber(file, 'hidden_dim'),
      nlayers,
      useBn,
      normLastLayer,
    });
    return evaluateCase(differentiable(all, file), (vars) => {
      const t = { ...all, ...vars };
      const g = (name: string) => need(t, name) as never;
      const mlp: DinoHeadParams['mlp'] =
        nlayers === 1
          ? { weight: g('mlp.weight'), bias: g('mlp.bias') }
          : Array.from({ length: (nlayers - 1) * (useBn ? 3 : 2) + 1 }, (_, i): DinoMlpEntry => {
              const p = `mlp.${i}.`;
              if (useBn && i % 3 === 1) {
                return { weight: g(`${p}weight`), bias: g(`${p}bias`), running_mean: g(`${p}running_mean`), running_var: g(`${p}running_var`), num_batches_tracked: g(`${p}num_batches_tracked`) };
              }
              return i % (useBn ? 3 : 2) === 0 ? { weight: g(`${p}weight`), bias: g(`${p}bias`) } : {};
            });
      const params: DinoHeadParams = { mlp, last_layer: { weight_g: g('last_layer.weight_g'), weight_v: g('last_layer.weight_v') } };
      const input = need(t, 'x') as Tensor<['B', 'C']>;
      const y = head.apply(params, input, ctx);
      return {
        loss: projectedLoss(y, r),
        outputs: { y, 'debug/normalized_bottleneck': head.bottleneck(params, input, ctx), 'debug/last_layer_effective_weight': head.lastLayerWeight(params) },
      };
    });
  },
};
