/**
 * A RegNetY trunk as SEER used it (classy-vision's RegNet with the simple
 * ImageNet stem), on images [B, C, H, W]:
 *
 *   stem:   conv3x3 stride 2 (no bias) + BN + ReLU           stem.stem.{0,1}
 *   stages: blocks of regnetBlock; the first block of a stage has the stage's
 *           stride and widens to the stage width            trunk_output.block{s}.block{s}-{i}.*
 *   pool:   global average over H, W                         -> features [B, C]
 *
 * Parameter paths are classy-vision's state_dict names; SEER (VISSL)
 * checkpoints store the same tensors as `_feature_blocks.conv1.stem.*` and
 * `_feature_blocks.res{s+2}.block{s+1}-{i}.*` for stage s = 0, 1, … (vissl-names.ts
 * maps between the two).
 *
 * `regnetStages` expands the paper's generator (depth, w_0, w_a, w_m, group
 * width) into per-stage depths and widths exactly as classy-vision's
 * get_expanded_params (quantised to multiples of 8, then widths adjusted to
 * the group width).
 */
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Key } from '../../runtime/prng.js';
import { mean } from '../../ops/statistics.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { named } from '../list.js';
import { record } from '../record.js';
import { convBnRelu, regnetBlock, regnetBn, regnetConv, roundHalfEven, type RegNetConvBnRelu, type RegNetImage, type RegNetBlock, type RegNetBlockParams } from './block.js';

/** One stage of a RegNet: depth, width, stride, group width, bottleneck ratio. */
export interface RegNetStage {
  readonly depth: number;
  readonly width: number;
  /** Stride of the stage's first block (RegNet: 2). */
  readonly stride?: number;
  readonly groupWidth: number;
  readonly bottleneckMultiplier?: number;
}

/** A RegNet Y trunk: stem width and its stages. */
export interface RegNetConfig {
  /** Input image channels (3 for RGB, 1 for MNIST). */
  readonly inChans: number;
  readonly stemWidth: number;
  readonly stages: readonly RegNetStage[];
  /** SE width relative to each block's input width (RegNetY: 0.25; null for RegNetX). */
  readonly seRatio: number | null;
  readonly bnEps?: number;
  readonly bnMomentum?: number;
}

/** The paper's generator of a RegNet: block widths w_0 + w_a·j quantised in log-space with base w_m. */
export interface RegNetGenerator {
  readonly depth: number;
  readonly w0: number;
  readonly wa: number;
  readonly wm: number;
  readonly groupWidth: number;
  readonly bottleneckMultiplier?: number;
}

/** Per-stage depths and widths from the generator, as classy-vision's get_expanded_params. */
export function regnetStages(g: RegNetGenerator): RegNetStage[] {
  const QUANT = 8;
  const b = g.bottleneckMultiplier ?? 1;
  if (!(g.wa >= 0 && g.w0 > 0 && g.wm > 1 && g.w0 % 8 === 0)) throw new ShapeError(`regnetStages: invalid RegNet settings ${JSON.stringify(g)} (need w_a >= 0, w_0 > 0, w_m > 1, w_0 % 8 = 0)`);
  const regnetBlockWidths = Array.from({ length: g.depth }, (_, j) => {
    const capacity = roundHalfEven(Math.log((j * g.wa + g.w0) / g.w0) / Math.log(g.wm));
    return roundHalfEven((g.w0 * Math.pow(g.wm, capacity)) / QUANT) * QUANT;
  });
  const stages: { width: number; depth: number }[] = [];
  for (const w of regnetBlockWidths) {
    const last = stages[stages.length - 1];
    if (last !== undefined && last.width === w) stages[stages.length - 1] = { width: w, depth: last.depth + 1 };
    else stages.push({ width: w, depth: 1 });
  }
  return stages.map(({ width, depth }) => {
    const wBot = Math.trunc(width * b);
    const groupWidth = Math.min(g.groupWidth, wBot);
    const adjusted = Math.trunc((roundHalfEven(wBot / groupWidth) * groupWidth) / b);
    return { depth, width: adjusted, stride: 2, groupWidth, bottleneckMultiplier: b };
  });
}

/** RegNetY-32GF's generator (SEER's smallest model): stages [2, 5, 12, 1] x [232, 696, 1392, 3712], group width 232. */
export const regnetY32gfGenerator: RegNetGenerator = Object.freeze({ depth: 20, w0: 232, wa: 115.89, wm: 2.53, groupWidth: 232 });
/** RegNetY-128GF's generator: stages [2, 7, 17, 1] x [528, 1056, 2904, 7392], group width 264. */
export const regnetY128gfGenerator: RegNetGenerator = Object.freeze({ depth: 27, w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264 });

const stagesOf = (depths: readonly number[], widths: readonly number[], groupWidth: number): RegNetStage[] =>
  depths.map((depth, i) => ({ depth, width: widths[i]!, stride: 2, groupWidth, bottleneckMultiplier: 1 }));

/** SEER's RegNetY-32GF trunk (as data; checked against regnetStages(regnetY32gfGenerator) in the tests). */
export const regnetY32gf: RegNetConfig = Object.freeze({ inChans: 3, stemWidth: 32, stages: stagesOf([2, 5, 12, 1], [232, 696, 1392, 3712], 232), seRatio: 0.25 });
/** SEER's RegNetY-128GF trunk. */
export const regnetY128gf: RegNetConfig = Object.freeze({ inChans: 3, stemWidth: 32, stages: stagesOf([2, 7, 17, 1], [528, 1056, 2904, 7392], 264), seRatio: 0.25 });
/** A tiny RegNetY for 28×28×1 images: stem 8 (14×14), stages 1×16 (7×7) and 2×32 (4×4), group width 8. */
export const regnetYTinyMnist: RegNetConfig = Object.freeze({
  inChans: 1,
  stemWidth: 8,
  stages: [
    { depth: 1, width: 16, stride: 2, groupWidth: 8, bottleneckMultiplier: 1 },
    { depth: 2, width: 32, stride: 2, groupWidth: 8, bottleneckMultiplier: 1 },
  ],
  seRatio: 0.25,
});

/** A RegNet trunk's parameters: the stem and each stage's blocks. */
export interface RegNetParams {
  readonly stem: { readonly stem: RegNetConvBnRelu };
  /** trunk_output.block{s}.block{s}-{i} */
  readonly trunk_output: Readonly<Record<string, Readonly<Record<string, RegNetBlockParams>>>>;
}

export interface RegNetModel extends Layer<RegNetParams, RegNetImage, ['B', 'C']> {
  readonly config: RegNetConfig;
  /** The blocks by stage, as built from the config. */
  readonly blocks: readonly (readonly RegNetBlock[])[];
  /** The trunk's feature map before pooling. */
  featureMap(params: RegNetParams, x: Tensor<RegNetImage>, ctx?: ApplyContext): Tensor<RegNetImage>;
  /** The stem's output and each stage's output, in order (VISSL's feature blocks conv1, res2, res3, …). */
  stageOutputs(params: RegNetParams, x: Tensor<RegNetImage>, ctx?: ApplyContext): Tensor<RegNetImage>[];
}

/** The parameter name of stage s, as VISSL's checkpoints name it. */
export const regnetStageName = (s: number): string => `block${s + 1}`;
/** The parameter name of block i of stage s, as VISSL's checkpoints name it. */
export const regnetBlockName = (s: number, i: number): string => `block${s + 1}-${i}`;

/** classy-vision's stem module: its one child `stem` (conv, bn, relu), which takes the stem's key itself rather than split(key, 1) as a record field would. */
function stemModule(inner: Layer<RegNetConvBnRelu, RegNetImage, RegNetImage>): Layer<RegNetParams['stem'], RegNetImage, RegNetImage> {
  return {
    init: (key, sizes) => ({ stem: inner.init(key, sizes) }),
    apply: (p, x, ctx) => inner.apply(p.stem, x, within(ctx, 'stem')),
  };
}

/**
 * A RegNet Y trunk (stem, stages of blocks, global average pool) from its
 * configuration: a record of the stem and trunk_output, the stages named
 * block{s} holding blocks named block{s}-{i}; its init is the record's.
 */
export function regnet(config: RegNetConfig): RegNetModel {
  const eps = config.bnEps ?? 1e-5;
  const momentum = config.bnMomentum ?? 0.1;
  let width = config.stemWidth;
  const blocks = config.stages.map((stage) =>
    Array.from({ length: stage.depth }, (_, i) => {
      const block = regnetBlock({
        widthIn: i === 0 ? width : stage.width,
        widthOut: stage.width,
        stride: i === 0 ? (stage.stride ?? 2) : 1,
        groupWidth: stage.groupWidth,
        bottleneckMultiplier: stage.bottleneckMultiplier ?? 1,
        seRatio: config.seRatio,
        bnEps: eps,
        bnMomentum: momentum,
      });
      if (i === stage.depth - 1) width = stage.width;
      return block;
    }),
  );
  const fields = {
    stem: stemModule(convBnRelu(regnetConv(config.stemWidth, config.inChans, 3, 2, 1), regnetBn(config.stemWidth, eps, momentum))),
    trunk_output: named(blocks.length, regnetStageName, (s) => named(blocks[s]!.length, (i) => regnetBlockName(s, i), (i) => blocks[s]![i]!)),
  };
  const net = record(fields, (f, x: Tensor<RegNetImage>) => mean(f.trunk_output(f.stem(x)), ['H', 'W']) as Tensor<['B', 'C']>);

  const stageOutputs = (p: RegNetParams, x: Tensor<RegNetImage>, ctx?: ApplyContext): Tensor<RegNetImage>[] => {
    const h = fields.stem.apply(p.stem, x, within(ctx, 'stem'));
    return [h, ...fields.trunk_output.outputs(p.trunk_output, h, within(ctx, 'trunk_output'))];
  };
  return {
    config,
    blocks,
    featureMap: (p, x, ctx) => stageOutputs(p, x, ctx).at(-1)!,
    stageOutputs,
    init: (key: Key, _sizes?: Sizes): RegNetParams => net.init(key, {}),
    apply: (p, x, ctx) => net.apply(p, x, ctx),
  };
}
