/**
 * The RegNetY residual bottleneck block as SEER trained it (classy-vision's
 * `ResBottleneckBlock` with `BottleneckTransform`, the same block as pycls'
 * RegNetY), on images [B, C, H, W]:
 *
 *   f(x) = BN(conv1x1(SE(ReLU(BN(conv3x3_g,s(ReLU(BN(conv1x1(x)))))))))      f.a, f.b, f.se, f.c + f.final_bn
 *   SE(u) = u ⊙ sigmoid(W2 · ReLU(W1 · mean_HW(u) + b1) + b2)                 1×1 convs with bias
 *   y = ReLU(shortcut(x) + f(x)),  shortcut = BN(conv1x1_s(x)) (proj, bn) when the width or the stride changes, else x
 *
 * Widths (as classy-vision): w_b = round(width_out · bottleneck), groups =
 * ⌊w_b / group_width⌋, and the SE width round(se_ratio · width_IN): the SE
 * ratio is relative to the block's input width, not to w_b. Python's round
 * (half to even) is used for both. Convolutions have no bias (BN follows).
 *
 * Parameter names are classy-vision's state_dict names (what SEER checkpoints
 * hold under `_feature_blocks.resK.blockK-i.`): f.a.0.weight, f.a.1.{weight,
 * bias, running_mean, running_var, num_batches_tracked}, f.b.0.weight,
 * f.b.1.*, f.se.excitation.0.{weight,bias}, f.se.excitation.2.{weight,bias},
 * f.c.weight, f.final_bn.*, proj.weight, bn.*. Conv weights keep PyTorch's
 * layout [out, in/groups, kh, kw] with axes [C', C, KH, KW].
 *
 * Initialisation as classy-vision's init_weights: conv weights normal with std
 * √(2 / fan_out), fan_out = kh·kw·out_channels; BatchNorm weight 1, bias 0
 * (optionally the final BN's weight 0, pycls' ZERO_INIT_FINAL_GAMMA); the SE
 * biases keep PyTorch's default, uniform in ±1/√fan_in.
 */
import { ShapeError } from '../../shape/errors.js';
import type { Axis } from '../../shape/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { normal, uniform } from '../../ops/random.js';
import { full } from '../../ops/sources.js';
import { mean } from '../../ops/statistics.js';
import { relu, sigmoid } from '../../ops/activations.js';
import { withAxes } from '../../ops/with-axes.js';
import type { Layer } from '../layer.js';
import { conv2d } from '../conv.js';
import { linearApply } from '../linear.js';
import { batchNorm, type BatchNormParams } from '../batch-norm.js';
import { relu as reluLayer } from '../activation.js';
import { serial, stateless } from '../combinators.js';
import { at, record } from '../record.js';

/** RegNet's feature maps: batch, channels, height, width. */
export type RegNetImage = ['B', 'C', 'H', 'W'];
/** Alias of RegNetImage (src/ssl/seer.ts imports it under this name). */
export type Image = RegNetImage;
type Empty = Record<string, never>;

/** A bias-free convolution's parameters: weight [C', C, KH, KW]. */
export interface RegNetConv {
  readonly weight: Tensor<["C'", 'C', 'KH', 'KW']>;
}

/** nn.Sequential(Conv2d, BatchNorm2d, ReLU): paths '0.weight', '1.running_mean', ... */
export type RegNetConvBnRelu = readonly [RegNetConv, BatchNormParams<'C'>, Empty];

/** A 1×1 convolution with bias from axis I to axis O, on pooled features [B, I]. */
export interface PointwiseConvParams<I extends Axis, O extends Axis> {
  readonly weight: Tensor<[O, I, 'KH', 'KW']>;
  readonly bias: Tensor<[O]>;
}

/** Squeeze-and-excitation's two 1×1 convolutions. */
export interface SqueezeExcitationParams {
  /** nn.Sequential(Conv2d(w, s, 1), ReLU, Conv2d(s, w, 1), Sigmoid). */
  readonly excitation: readonly [PointwiseConvParams<'C', 'S'>, Empty, PointwiseConvParams<'S', 'C'>, Empty];
}

/** A RegNet block's bottleneck: 1×1, grouped 3×3 with squeeze-and-excitation, 1×1. */
export interface BottleneckParams {
  readonly a: RegNetConvBnRelu;
  readonly b: RegNetConvBnRelu;
  readonly se?: SqueezeExcitationParams;
  readonly c: RegNetConv;
  readonly final_bn: BatchNormParams<'C'>;
}

/** A RegNet block's parameters (bottleneck and optional projection). */
export interface RegNetBlockParams {
  readonly proj?: RegNetConv;
  readonly bn?: BatchNormParams<'C'>;
  readonly f: BottleneckParams;
}

/** A RegNet Y block: input and output widths, stride, bottleneck ratio, group width, SE ratio. */
export interface RegNetBlockConfig {
  readonly widthIn: number;
  readonly widthOut: number;
  readonly stride: number;
  readonly groupWidth: number;
  /** Bottleneck multiplier b: w_b = round(widthOut · b) (RegNetY: 1.0). */
  readonly bottleneckMultiplier?: number;
  /** SE width as a fraction of widthIn (RegNetY: 0.25); 0 or null for no SE (RegNetX). */
  readonly seRatio?: number | null;
  readonly bnEps?: number;
  readonly bnMomentum?: number;
  /** Initialise the final BN's weight to 0 (pycls' BN.ZERO_INIT_FINAL_GAMMA; classy-vision: false). */
  readonly zeroInitFinalGamma?: boolean;
}

/** Python's round(): to the nearest integer, ties to even (numpy's np.round too). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A RegNet block's derived widths: bottleneck, groups, squeeze-and-excitation. */
export interface RegNetBlockWidths {
  /** Bottleneck width w_b. */
  readonly bottleneck: number;
  readonly groups: number;
  /** SE width (0: no SE). */
  readonly se: number;
  readonly projection: boolean;
}

/** The widths of a RegNet block: bottleneck, groups, squeeze-and-excitation. */
export function regnetBlockWidths(config: RegNetBlockConfig): RegNetBlockWidths {
  const bottleneck = roundHalfEven(config.widthOut * (config.bottleneckMultiplier ?? 1));
  const groups = Math.floor(bottleneck / config.groupWidth);
  const ratio = config.seRatio === undefined ? 0.25 : config.seRatio;
  const se = ratio ? roundHalfEven(ratio * config.widthIn) : 0;
  return { bottleneck, groups, se, projection: config.widthIn !== config.widthOut || config.stride !== 1 };
}

/** Conv weight normal(0, √(2/fan_out)), fan_out = kh·kw·out (classy-vision / pycls). */
export function regnetConvInit(key: Key, out: number, inPerGroup: number, k: number): Tensor<["C'", 'C', 'KH', 'KW']> {
  const std = Math.sqrt(2 / (k * k * out));
  return mul(normal(key, ["C'", 'C', 'KH', 'KW'], [out, inPerGroup, k, k]), std);
}

/** PyTorch's default bias init: uniform in ±1/√fan_in. */
function defaultBias<const A extends string>(key: Key, axis: A, n: number, fanIn: number): Tensor<[A]> {
  const bound = 1 / Math.sqrt(fanIn);
  return sub(mul(uniform(key, [axis], [n]), 2 * bound), bound) as Tensor<[A]>;
}

/** A bias-free k×k convolution with classy-vision's init, from `inPerGroup`·groups to `out` channels. */
export function regnetConv(out: number, inPerGroup: number, k: number, stride: number, groups: number): Layer<RegNetConv, Image, Image> {
  const conv = conv2d('C', 'C', { kernel: k, stride, padding: (k - 1) >> 1, groups, bias: false });
  return {
    init: (key) => ({ weight: regnetConvInit(key, out, inPerGroup, k) }),
    apply: (p, x, ctx) => withAxes(conv.apply(p, x, ctx), ['B', 'C', 'H', 'W']),
  };
}

/** BatchNorm2d over `n` channels, weight initialised to `weight` (1, or 0 for pycls' zero-init final gamma). */
export function regnetBn(n: number, eps: number, momentum: number, weight = 1): Layer<BatchNormParams<'C'>, Image, Image> {
  const bn = batchNorm('C', { eps, momentum });
  return {
    keyless: true,
    init: (key) => {
      const p = bn.init(key, { C: n });
      return weight === 1 ? p : { ...p, weight: full(weight, ['C'], { C: n }) };
    },
    apply: (p, x, ctx) => bn.apply(p, x, ctx),
  };
}

/** nn.Sequential(conv, BatchNorm2d, ReLU): paths '0.weight', '1.running_mean', ... */
export function convBnRelu(conv: Layer<RegNetConv, Image, Image>, bn: Layer<BatchNormParams<'C'>, Image, Image>): Layer<RegNetConvBnRelu, Image, Image> {
  return serial(conv, bn, at<Image>()(reluLayer()));
}

/** Conv2d(n_in, n_out, 1) with bias on pooled features, as a Linear from I to O (PyTorch's default bias init, classy-vision's weight init). */
function pointwiseConv<const I extends Axis, const O extends Axis>(inAxis: I, outAxis: O, nIn: number, nOut: number): Layer<PointwiseConvParams<I, O>, ['B', I], ['B', O]> {
  return {
    init(key) {
      const [kw, kb] = split(key);
      return { weight: reshape(regnetConvInit(kw!, nOut, nIn, 1), [outAxis, inAxis, 'KH', 'KW'], [nOut, nIn, 1, 1]), bias: defaultBias(kb!, outAxis, nOut, nIn) };
    },
    apply: (p, x) => withAxes(linearApply(x, reshape(p.weight, [outAxis, inAxis], [nOut, nIn]), p.bias, inAxis, outAxis), ['B', outAxis]),
  };
}

/** Squeeze-and-excitation on `width` channels through `squeeze`: u ⊙ sigmoid(W2·ReLU(W1·mean_HW(u) + b1) + b2). */
function squeezeExcitation(width: number, squeeze: number): Layer<SqueezeExcitationParams, Image, Image> {
  const excitation = serial(
    pointwiseConv('C', 'S', width, squeeze),
    at<['B', 'S']>()(reluLayer()),
    pointwiseConv('S', 'C', squeeze, width),
    stateless((x: Tensor<['B', 'C']>) => sigmoid(x)),
  );
  return record({ excitation }, (f, u: Tensor<Image>) => {
    const gate = f.excitation(withAxes(mean(u, ['H', 'W']), ['B', 'C']));
    return mul(u, broadcastTo(gate, u.axes, u.sizes) as Tensor<Image>);
  });
}

/** A RegNet block's bottleneck f: 1×1, grouped 3×3 (stride s), optional squeeze-excitation, 1×1 and the final BN. */
function bottleneck(config: RegNetBlockConfig, widths: RegNetBlockWidths): Layer<BottleneckParams, Image, Image> {
  const { bottleneck: wb, groups, se } = widths;
  const eps = config.bnEps ?? 1e-5;
  const momentum = config.bnMomentum ?? 0.1;
  const fields = {
    a: convBnRelu(regnetConv(wb, config.widthIn, 1, 1, 1), regnetBn(wb, eps, momentum)),
    b: convBnRelu(regnetConv(wb, wb / groups, 3, config.stride, groups), regnetBn(wb, eps, momentum)),
  };
  const tail = { c: regnetConv(config.widthOut, wb, 1, 1, 1), final_bn: regnetBn(config.widthOut, eps, momentum, config.zeroInitFinalGamma ? 0 : 1) };
  if (se === 0) return record({ ...fields, ...tail }, (f, x: Tensor<Image>) => f.final_bn(f.c(f.b(f.a(x)))));
  return record({ ...fields, se: squeezeExcitation(wb, se), ...tail }, (f, x: Tensor<Image>) => f.final_bn(f.c(f.se(f.b(f.a(x))))));
}

/** A RegNet Y block as a layer, with its configuration and widths. */
export type RegNetBlock = Layer<RegNetBlockParams, RegNetImage, RegNetImage> & { readonly config: RegNetBlockConfig; readonly widths: RegNetBlockWidths };

/** A RegNet Y block (ResBottleneckBlock with squeeze-and-excitation), as VISSL's and pycls' RegNet. */
export function regnetBlock(config: RegNetBlockConfig): RegNetBlock {
  const widths = regnetBlockWidths(config);
  const { bottleneck: wb, groups, projection } = widths;
  const { widthIn, widthOut, stride } = config;
  const dims = [widthIn, widthOut, stride, config.groupWidth];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || groups < 1 || wb % groups !== 0) {
    throw new ShapeError(`regnetBlock: widths ${widthIn} -> ${widthOut} (bottleneck ${wb}), stride ${stride}, group width ${config.groupWidth} give ${groups} groups, which must divide ${wb}`);
  }
  const f = bottleneck(config, widths);
  const block: Layer<RegNetBlockParams, Image, Image> = projection
    ? record({ proj: regnetConv(widthOut, widthIn, 1, stride, 1), bn: regnetBn(widthOut, config.bnEps ?? 1e-5, config.bnMomentum ?? 0.1), f }, (q, x: Tensor<Image>) => relu(add(q.bn(q.proj(x)), q.f(x))))
    : record({ f }, (q, x: Tensor<Image>) => relu(add(x, q.f(x))));
  return { config, widths, init: (key) => block.init(key, {}), apply: (p, x, ctx) => block.apply(p, x, ctx) };
}
