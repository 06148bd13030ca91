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
import type { Sizes } from '../../shape/types.js';
import { ShapeError } from '../../shape/errors.js';
import type { Tensor } from '../../ir/tensor.js';
import { split, type Key } from '../../runtime/prng.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { broadcastTo, reshape } from '../../ops/layout.js';
import { normal, uniform } from '../../ops/random.js';
import { full } from '../../ops/sources.js';
import { mean } from '../../ops/statistics.js';
import { relu, sigmoid } from '../../ops/activations.js';
import { within, type ApplyContext, type Layer } from '../layer.js';
import { conv2d } from '../conv.js';
import { linearApply } from '../linear.js';
import { batchNorm, type BatchNormParams } from '../batch-norm.js';

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

/** Squeeze-and-excitation's two 1×1 convolutions. */
export interface SqueezeExcitationParams {
  /** nn.Sequential(Conv2d(w, s, 1), ReLU, Conv2d(s, w, 1), Sigmoid). */
  readonly excitation: readonly [
    { readonly weight: Tensor<['S', 'C', 'KH', 'KW']>; readonly bias: Tensor<['S']> },
    Empty,
    { readonly weight: Tensor<['C', 'S', 'KH', 'KW']>; readonly bias: Tensor<['C']> },
    Empty,
  ];
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

function bnInit(n: number, eps: number, momentum: number, weight = 1): BatchNormParams<'C'> {
  const p = batchNorm('C', { eps, momentum }).init([0, 0], { C: n });
  return weight === 1 ? p : { ...p, weight: full(weight, ['C'], { C: n }) };
}

/** The squeeze-excitation gate: u ⊙ sigmoid(W2·ReLU(W1·mean_HW(u) + b1) + b2), 1×1 convs as Linears over C. */
export function squeezeExcitation(p: SqueezeExcitationParams, u: Tensor<RegNetImage>): Tensor<RegNetImage> {
  const [reduce, , expand] = p.excitation;
  const s = mean(u, ['H', 'W']) as Tensor<['B', 'C']>;
  const w1 = reshape(reduce.weight, ['S', 'C'], [reduce.weight.sizes[0]!, reduce.weight.sizes[1]!]);
  const w2 = reshape(expand.weight, ['C', 'S'], [expand.weight.sizes[0]!, expand.weight.sizes[1]!]);
  const h = relu(linearApply(s, w1, reduce.bias, 'C', 'S'));
  const gate = sigmoid(linearApply(h, w2, expand.bias, 'S', 'C'));
  return mul(u, broadcastTo(gate, u.axes, u.sizes) as Tensor<RegNetImage>);
}

/** A RegNet Y block as a layer, with its configuration and widths. */
export type RegNetBlock = Layer<RegNetBlockParams, RegNetImage, RegNetImage> & { readonly config: RegNetBlockConfig; readonly widths: RegNetBlockWidths };

/** A RegNet Y block (ResBottleneckBlock with squeeze-and-excitation), as VISSL's and pycls' RegNet. */
export function regnetBlock(config: RegNetBlockConfig): RegNetBlock {
  const widths = regnetBlockWidths(config);
  const { bottleneck: wb, groups, se, projection } = widths;
  const { widthIn, widthOut, stride } = config;
  const dims = [widthIn, widthOut, stride, config.groupWidth];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || groups < 1 || wb % groups !== 0) {
    throw new ShapeError(`regnetBlock: widths ${widthIn} -> ${widthOut} (bottleneck ${wb}), stride ${stride}, group width ${config.groupWidth} give ${groups} groups, which must divide ${wb}`);
  }
  const eps = config.bnEps ?? 1e-5;
  const momentum = config.bnMomentum ?? 0.1;
  const bn = batchNorm('C', { eps, momentum });
  const conv = (k: number, s: number, g: number) => conv2d('C', 'C', { kernel: k, stride: s, padding: (k - 1) >> 1, groups: g, bias: false });
  const convA = conv(1, 1, 1);
  const convB = conv(3, stride, groups);
  const convC = conv(1, 1, 1);
  const convProj = conv(1, stride, 1);

  const convBnRelu = (p: RegNetConvBnRelu, x: Tensor<RegNetImage>, c: ReturnType<typeof conv>, ctx: ApplyContext): Tensor<RegNetImage> => {
    const y = c.apply(p[0], x, within(ctx, 0)) as Tensor<RegNetImage>;
    return relu(bn.apply(p[1], y, within(ctx, 1)));
  };

  return {
    config,
    widths,
    init(key: Key, _sizes?: Sizes): RegNetBlockParams {
      void _sizes;
      const [ka, kb, kc, kp, k1, k2, kb1, kb2] = split(key, 8);
      const f: BottleneckParams = {
        a: [{ weight: regnetConvInit(ka!, wb, widthIn, 1) }, bnInit(wb, eps, momentum), {}],
        b: [{ weight: regnetConvInit(kb!, wb, wb / groups, 3) }, bnInit(wb, eps, momentum), {}],
        ...(se > 0
          ? {
              se: {
                excitation: [
                  { weight: reshape(regnetConvInit(k1!, se, wb, 1), ['S', 'C', 'KH', 'KW'], [se, wb, 1, 1]), bias: defaultBias(kb1!, 'S', se, wb) },
                  {},
                  { weight: reshape(regnetConvInit(k2!, wb, se, 1), ['C', 'S', 'KH', 'KW'], [wb, se, 1, 1]), bias: defaultBias(kb2!, 'C', wb, se) },
                  {},
                ],
              },
            }
          : {}),
        c: { weight: regnetConvInit(kc!, widthOut, wb, 1) },
        final_bn: bnInit(widthOut, eps, momentum, config.zeroInitFinalGamma ? 0 : 1),
      };
      return projection ? { proj: { weight: regnetConvInit(kp!, widthOut, widthIn, 1) }, bn: bnInit(widthOut, eps, momentum), f } : { f };
    },
    apply(p: RegNetBlockParams, x: Tensor<RegNetImage>, ctx?: ApplyContext): Tensor<RegNetImage> {
      const fctx = within(ctx, 'f');
      let u = convBnRelu(p.f.a, x, convA, within(fctx, 'a'));
      u = convBnRelu(p.f.b, u, convB, within(fctx, 'b'));
      if (se > 0) {
        if (p.f.se === undefined) throw new ShapeError(`regnetBlock at ${within(fctx, 'se').path.join('.')}: the config has an SE width of ${se} but the parameters have no f.se`);
        u = squeezeExcitation(p.f.se, u);
      }
      const fx = bn.apply(p.f.final_bn, convC.apply(p.f.c, u, within(fctx, 'c')) as Tensor<RegNetImage>, within(fctx, 'final_bn'));
      let shortcut: Tensor<RegNetImage> = x;
      if (projection) {
        if (p.proj === undefined || p.bn === undefined) throw new ShapeError(`regnetBlock at ${(ctx?.path ?? []).join('.') || '(root)'}: widths ${widthIn} -> ${widthOut} with stride ${stride} need the projection parameters proj and bn`);
        shortcut = bn.apply(p.bn, convProj.apply(p.proj, x, within(ctx, 'proj')) as Tensor<RegNetImage>, within(ctx, 'bn'));
      }
      return relu(add(shortcut, fx));
    },
  };
}
