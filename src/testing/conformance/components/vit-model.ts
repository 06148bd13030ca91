import { vit, type VitParams } from '../../../nn/vit/vit.js';
import type { VitImage } from '../../../nn/vit/patch-embed.js';
import { interpolatePosEncoding, posEmbedGrid } from '../../../nn/vit/pos-embed.js';
import { patchGrid } from '../../../nn/vit/patch-embed.js';
import type { Tensor } from '../../../ir/tensor.js';
import type { GoldenFile } from '../../../io/golden.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss, type CaseResult } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';

/** Sub-cases of the file: every input '<case>/x' besides the main x (interp, interp_rect). */
function subCases(file: GoldenFile): string[] {
  return Object.keys(file.inputs).flatMap((k) => /^(.+)\/x$/.exec(k)?.[1] ?? []);
}

/** The number of blocks named in the params (blocks.<k>.*). */
function depthOf(file: GoldenFile): number {
  const ks = Object.keys(file.params).flatMap((k) => /^blocks\.(\d+)\./.exec(k)?.[1] ?? []).map(Number);
  if (ks.length === 0) throw new Error('params: no blocks.<k>.* parameters');
  return Math.max(...ks) + 1;
}

/** The n of every get_intermediate_layers(x, n) the file stores: 'intermediate/k' is n = 1, 'intermediate_n<n>/k' is n. */
function intermediateCounts(file: GoldenFile): number[] {
  const ns = Object.keys(file.outputs).flatMap((k) => {
    const m = /^intermediate(?:_n(\d+))?\/\d+$/.exec(k);
    return m ? [m[1] === undefined ? 1 : Number(m[1])] : [];
  });
  return [...new Set(ns)];
}

/** vit_model.json: DINO's VisionTransformer (forward, get_last_selfattention, get_intermediate_layers, interpolate_pos_encoding). */
export const vitModelComponent: Component = {
  name: 'vit_model',
  describe: 'DINO VisionTransformer (CLS output, last self-attention, intermediate layers, pos-encoding interpolation)',
  evaluate(file) {
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'C', 'H', 'W']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'C']);
    const p = dimOf(file, 'params', 'patch_embed.proj.weight', 2);
    const embedDim = dimOf(file, 'params', 'cls_token', 2);
    const g = posEmbedGrid(goldenTensor(file, 'params', 'pos_embed', ['1a', 'N', 'C']));
    const eps = file.config['layernorm_eps'];
    if (typeof eps === 'number' && eps !== 1e-6) throw new Error(`config.layernorm_eps: the ViT uses 1e-6, the file ${eps}`);
    const model = vit({
      imgSize: g * p,
      patchSize: p,
      inChans: dimOf(file, 'params', 'patch_embed.proj.weight', 1),
      embedDim,
      depth: depthOf(file),
      heads: configInt(file, 'num_heads'),
      mlpHidden: dimOf(file, 'params', 'blocks.0.mlp.fc1.weight', 0),
      qkvBias: file.params['blocks.0.attn.qkv.bias'] !== undefined,
    });
    const params = goldenParams<VitParams>(file, model.init([0, 0], {}));
    const main = evaluateCase(gradTargets(file, '', { x }, params), (v) => {
      const t = withVars(params, v);
      const img = (v['x'] ?? x) as Tensor<VitImage>;
      const y = model.apply(t, img);
      const outputs: Record<string, Tensor> = { y, last_selfattention: model.lastSelfAttention(t, img) };
      for (const n of intermediateCounts(file)) {
        model.intermediateLayers(t, img, n).forEach((o, k) => (outputs[`${n === 1 ? 'intermediate' : `intermediate_n${n}`}/${k}`] = o));
      }
      return { loss: projectedLoss(y, r), outputs };
    });
    const cases = subCases(file).map((name): CaseResult => {
      const xs = goldenTensor(file, 'inputs', `${name}/x`, ['B', 'C', 'H', 'W']);
      return evaluateCase(
        gradTargets(file, `${name}/`, { x: xs }, params),
        (v) => {
          const t = withVars(params, v);
          const img = (v['x'] ?? xs) as Tensor<VitImage>;
          const y = model.apply(t, img);
          const pos = interpolatePosEncoding(t.pos_embed, patchGrid(xs.size('H'), xs.size('W'), p), { H: xs.size('H'), W: xs.size('W') });
          return { loss: projectedLoss(y, r), outputs: { y, last_selfattention: model.lastSelfAttention(t, img), 'debug/pos_embed_interpolated': pos } };
        },
        `${name}/`,
      );
    });
    const all = [main, ...cases];
    return { outputs: Object.assign({}, ...all.map((c) => c.outputs)), grads: Object.assign({}, ...all.map((c) => c.grads)) };
  },
};
