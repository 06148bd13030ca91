/**
 * The tiny-XCiT training step of issue 7 in shapegrad, built from the library's
 * layers: batch 64 of 28x28x1 images, a linear patch embedding (patch 4: 49
 * tokens of 16 pixels, linear 16 -> 64), depth 4 XCA blocks (pre-norm, layer
 * scale, MLP ratio 4, exact GELU; no LPI, no positional encoding), mean
 * pooling over tokens, a linear head to 10 classes, cross-entropy, and one
 * SGD update of every parameter.
 *
 * Each block is the combinators' composition
 *   x + gamma1 ⊙ XCA(LN(x)),  then  x + gamma2 ⊙ MLP(LN(x))
 * i.e. residual(layerScale(preNorm(layerNorm, xca))) followed by the same
 * around mlp (LayerNorm eps 1e-6 as XCiT, eta 1 as xcit_tiny).
 */
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { nn } from '../../src/index.js';
import { paramSet, type ParamSet } from '../common.js';

export const xcitConfig = {
  batch: 64,
  image: 28,
  patch: 4,
  dim: 64,
  heads: 4,
  depth: 4,
  mlpRatio: 4,
  classes: 10,
  eta: 1,
  eps: 1e-6,
  learningRate: 0.05,
} as const;

export const grid = xcitConfig.image / xcitConfig.patch; // 7
export const tokens = grid * grid; // 49
export const patchPixels = xcitConfig.patch * xcitConfig.patch; // 16
export const hidden = xcitConfig.dim * xcitConfig.mlpRatio; // 256

type Tokens = Tensor<['B', 'N', 'C']>;
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyLayer = nn.Layer<any, ['B', 'N', 'C'], ['B', 'N', 'C']>;

function block(): AnyLayer {
  const { eta, eps, heads } = xcitConfig;
  const attn = nn.residual(nn.layerScale(nn.preNorm(nn.layerNorm('C', eps) as unknown as AnyLayer, nn.xcit.xca({ heads })), 'C', eta));
  const ffn = nn.residual(nn.layerScale(nn.preNorm(nn.layerNorm('C', eps) as unknown as AnyLayer, nn.mlp('C', 'F') as unknown as AnyLayer), 'C', eta));
  return nn.serial(attn, ffn) as AnyLayer;
}

export const embed = nn.linear('P', 'C');
export const blocks = nn.repeat(xcitConfig.depth, block);
export const head = nn.linear('C', 'K');

export interface XcitParams {
  readonly embed: { readonly weight: Tensor<['C', 'P']>; readonly bias: Tensor<['C']> };
  readonly blocks: unknown[];
  readonly head: { readonly weight: Tensor<['K', 'C']>; readonly bias: Tensor<['K']> };
}

export function initXcit(seed = 0): ParamSet<XcitParams> {
  const [k1, k2, k3] = sg.random.split(sg.random.key(seed), 3);
  const { dim, classes } = xcitConfig;
  const tree: XcitParams = {
    embed: embed.init(k1!, { P: patchPixels, C: dim }) as XcitParams['embed'],
    blocks: blocks.init(k2!, { C: dim, F: hidden }),
    head: head.init(k3!, { C: dim, K: classes }) as XcitParams['head'],
  };
  return paramSet(tree, 'params');
}

/** Images [B, H, W] to patch tokens [B, N, P] (n = row·7 + column, pixel p = dy·4 + dx). */
export function patchify(x: Tensor<['B', 'H', 'W']>): Tensor<['B', 'N', 'P']> {
  const { batch, patch } = xcitConfig;
  const split = sg.reshape(x, ['B', 'Gy', 'Py', 'Gx', 'Px'], [batch, grid, patch, grid, patch]);
  const moved = sg.transpose(split, ['B', 'Gy', 'Gx', 'Py', 'Px']);
  return sg.reshape(moved, ['B', 'N', 'P'], [batch, tokens, patchPixels]);
}

export function xcitLogits(p: XcitParams, x: Tensor<['B', 'H', 'W']>): Tensor<['B', 'K']> {
  const t = embed.apply(p.embed as never, patchify(x)) as unknown as Tokens;
  const y = blocks.apply(p.blocks as never, t);
  const pooled = sg.mean(y, 'N');
  return head.apply(p.head as never, pooled) as unknown as Tensor<['B', 'K']>;
}

export function xcitLoss(p: XcitParams, x: Tensor<['B', 'H', 'W']>, labels: Tensor<['B']>): Tensor<[]> {
  return sg.crossEntropy(xcitLogits(p, x), labels, 'K');
}

/** The training step: loss, and every parameter after one SGD step. */
export function xcitProgram(params: ParamSet<XcitParams>) {
  const { batch, image, learningRate } = xcitConfig;
  return sg.trace(
    (p: XcitParams, x: Tensor<['B', 'H', 'W']>, labels: Tensor<['B']>) => {
      const [loss, g] = sg.valueAndGrad(xcitLoss)(p, x, labels);
      const gs = sg.flattenTree(g, sg.isTensor).leaves;
      const flat = sg.flattenTree(p, sg.isTensor);
      const updated = sg.unflattenTree(flat.def, flat.leaves.map((w, i) => sg.sub(w, sg.mul(gs[i]!, learningRate))));
      return { loss, params: updated as XcitParams };
    },
    params.specs as never,
    sg.spec(['B', 'H', 'W'], [batch, image, image], 'images'),
    sg.spec(['B'], [batch], 'labels'),
  );
}
