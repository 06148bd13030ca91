/**
 * Conv2d as a layer, PyTorch's layout: weight [out, in/groups, kh, kw], bias [out].
 * Images keep named axes (any order): channels C, height H, width W by default.
 * When the output channel axis has the input's name (C -> C), the weight's
 * output axis is primed, as in linear.
 */
import type { Axis, Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { conv2d as convOp, type ConvAxes } from '../ops/conv.js';
import { add } from '../ops/elementwise.js';
import { broadcastTo, reshape } from '../ops/layout.js';
import { split } from '../runtime/prng.js';
import { uniformIn } from './init.js';
import { weightOutAxis } from './linear.js';
import type { ApplyContext, Layer } from './layer.js';

/** A 2-d convolution's kernel and optional bias. */
export interface Conv2dParams {
  readonly weight: Tensor;
  readonly bias?: Tensor;
}

/** A 2-d convolution layer: kernel size, stride, padding, groups, bias. */
export interface Conv2dLayerOptions {
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly groups?: number;
  readonly bias?: boolean;
  /** Axis names of the image (default C, H, W). */
  readonly channels?: Axis;
  readonly height?: Axis;
  readonly width?: Axis;
}

export interface Conv2dLayer extends Layer<Conv2dParams, readonly Axis[], readonly Axis[]> {
  /** Fresh kernel (and bias), as PyTorch's Conv2d initialises them. */
  init(key: Key, sizes: Sizes): Conv2dParams;
  /** The 2-d convolution of the images x. */
  apply<S extends Shape>(params: Conv2dParams, x: Tensor<S>, ctx?: ApplyContext): Tensor;
}

/** conv2d(C, D, { kernel: 3, padding: 1 }) maps images with channel axis C to channel axis D. */
export function conv2d(inAxis: Axis, outAxis: Axis, options: Conv2dLayerOptions): Conv2dLayer {
  const wOut = weightOutAxis(inAxis, outAxis);
  const groups = options.groups ?? 1;
  const axes: ConvAxes = {
    channels: inAxis,
    out: wOut,
    height: options.height ?? 'H',
    width: options.width ?? 'W',
    kh: 'KH',
    kw: 'KW',
  };
  const withBias = options.bias ?? true;
  return {
    init(key: Key, sizes: Sizes): Conv2dParams {
      const cin = sizes[inAxis]!;
      const cout = sizes[outAxis]!;
      const k = options.kernel;
      const [kw, kb] = split(key);
      // PyTorch's default: weight and bias uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt 5).
      const bound = 1 / Math.sqrt((cin / groups) * k * k);
      const weight = uniformIn(kw!, [wOut, inAxis, 'KH', 'KW'], { [wOut]: cout, [inAxis]: cin / groups, KH: k, KW: k }, bound);
      return withBias ? { weight, bias: uniformIn(kb!, [outAxis], sizes, bound) } : { weight };
    },
    apply<S extends Shape>(params: Conv2dParams, x: Tensor<S>): Tensor {
      const raw = convOp(x, params.weight, { stride: options.stride ?? 1, padding: options.padding ?? 0, groups }, axes);
      const y = wOut === outAxis ? raw : reshape(raw, raw.axes.map((a) => (a === wOut ? outAxis : a)), raw.sizes);
      return params.bias === undefined ? y : add(y as Tensor<string[]>, broadcastTo(params.bias, y.axes, y.sizes) as Tensor<string[]>);
    },
  };
}
