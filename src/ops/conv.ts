/**
 * 2-D convolution (cross-correlation, as PyTorch's Conv2d) over named axes,
 * composed from pad, strided slice and einsum: its gradients come from theirs,
 * and the compiler sees ops it already fuses. Dense, grouped and depthwise.
 */
import type { Shape } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { apply } from './define.js';
import { axisIndex, labelOf } from './check.js';
import { einsumOp } from './einsum.js';
import { pad, slice, concat, addAll } from './slicing.js';
import { broadcastTo, reshape, transposeTo } from './layout.js';
import { mul } from './elementwise.js';

/** conv2d's stride, padding and groups. */
export interface Conv2dOptions {
  readonly stride?: number;
  readonly padding?: number;
  readonly groups?: number;
}

/** The names of the axes a convolution works on. */
export interface ConvAxes {
  /** Input channel axis of x (and of the weight). */
  readonly channels: string;
  /** Output channel axis of the weight; it replaces `channels` in the result. */
  readonly out: string;
  readonly height: string;
  readonly width: string;
  /** Kernel axes of the weight. */
  readonly kh: string;
  readonly kw: string;
}

const defaultAxes: ConvAxes = { channels: 'C', out: 'D', height: 'H', width: 'W', kh: 'KH', kw: 'KW' };

const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/** One kernel tap (u, v): the strided window of the padded input it multiplies. */
function window(xp: Tensor, ax: ConvAxes, u: number, v: number, s: number, ho: number, wo: number): Tensor {
  const rows = slice(xp as Tensor<string[]>, ax.height, u, u + s * (ho - 1) + 1, s);
  return slice(rows, ax.width, v, v + s * (wo - 1) + 1, s);
}

/** The weight of one tap with the kernel axes dropped. */
function tap(w: Tensor, ax: ConvAxes, u: number, v: number): Tensor {
  const t = slice(slice(w as Tensor<string[]>, ax.kh, u, u + 1), ax.kw, v, v + 1);
  const keep = t.axes.filter((a) => a !== ax.kh && a !== ax.kw);
  return reshape(t, keep, keep.map((a) => t.sizes[t.axes.indexOf(a)]!));
}

/** Output sizes and the padded input of a convolution. */
function prepare(x: Tensor, w: Tensor, ax: ConvAxes, s: number, p: number) {
  const kh = w.size(ax.kh);
  const kw = w.size(ax.kw);
  const ho = outSize(x.size(ax.height), kh, s, p);
  const wo = outSize(x.size(ax.width), kw, s, p);
  const xp = p > 0 ? pad(pad(x as Tensor<string[]>, ax.height, p, p), ax.width, p, p) : x;
  return { kh, kw, ho, wo, xp };
}

/**
 * A dense convolution as one contraction over an im2col tensor: the kh·kw windows, laid out
 * channels-last and concatenated along the channel axis (tap-major), against the taps of the
 * weight concatenated the same way. The sum over channels and taps then reads one contiguous
 * run of C·kh·kw values of each per output element; a sum of one contraction per tap
 * instead reread the input with strided indices in kh·kw short loops.
 */
function denseConv(x: Tensor, w: Tensor, ax: ConvAxes, s: number, p: number): Tensor {
  const { kh, kw, ho, wo, xp } = prepare(x, w, ax, s, p);
  if (kh * kw > MAX_IM2COL_TAPS) return tapSumConv(x, w, ax, s, ho, wo, xp);
  const channelsLast = [...x.axes.filter((a) => a !== ax.channels), ax.channels];
  const windows: Tensor[] = [];
  const taps: Tensor[] = [];
  for (let u = 0; u < kh; u++) {
    for (let v = 0; v < kw; v++) {
      windows.push(transposeTo(window(xp, ax, u, v, s, ho, wo), channelsLast));
      taps.push(tap(w, ax, u, v));
    }
  }
  const patches = toLaneMultiple(concat(windows as Tensor<string[]>[], ax.channels), ax.channels);
  const weights = toLaneMultiple(concat(taps as Tensor<string[]>[], ax.channels), ax.channels);
  const outAxes = x.axes.map((a) => (a === ax.channels ? ax.out : a));
  return apply(einsumOp, [patches, weights], { inputs: [patches.axes, weights.axes], output: outAxes });
}

/**
 * The im2col channel axis padded with zeros to a multiple of 4 (a 3×3 convolution of one channel has
 * 9): the weight gradient's output then ends on a multiple of 4, and the native backend computes it
 * four elements at once instead of one (the zero terms add exactly 0 to every sum).
 */
function toLaneMultiple(t: Tensor, axis: string): Tensor {
  const extra = (4 - (t.size(axis) % 4)) % 4;
  return extra === 0 ? t : pad(t as Tensor<string[]>, axis, 0, extra);
}

/**
 * Kernels with more taps are summed tap by tap: one kernel selecting among 16 windows (a ViT's
 * 4×4 patches) made headless-gl's GLSL compiler run out of memory, and a patchify convolution
 * (stride = kernel) reads every input once either way.
 */
const MAX_IM2COL_TAPS = 9;

/** A dense convolution as the sum of one contraction per tap. */
function tapSumConv(x: Tensor, w: Tensor, ax: ConvAxes, s: number, ho: number, wo: number, xp: Tensor): Tensor {
  const outAxes = x.axes.map((a) => (a === ax.channels ? ax.out : a));
  const terms: Tensor[] = [];
  for (let u = 0; u < w.size(ax.kh); u++) {
    for (let v = 0; v < w.size(ax.kw); v++) {
      const wt = tap(w, ax, u, v);
      terms.push(apply(einsumOp, [window(xp, ax, u, v, s, ho, wo), wt], { inputs: [x.axes, wt.axes], output: outAxes }));
    }
  }
  return addAll(terms);
}

function depthwiseConv(x: Tensor, w: Tensor, ax: ConvAxes, s: number, p: number): Tensor {
  const { kh, kw, ho, wo, xp } = prepare(x, w, ax, s, p);
  const terms: Tensor[] = [];
  for (let u = 0; u < kh; u++) {
    for (let v = 0; v < kw; v++) {
      const win = window(xp, ax, u, v, s, ho, wo);
      // The weight's output-channel axis is the input channel axis itself here.
      const wt = reshape(tap(w, ax, u, v) as Tensor<string[]>, [ax.channels], [x.size(ax.channels)]);
      terms.push(mul(win as Tensor<string[]>, broadcastTo(wt, win.axes, win.sizes) as Tensor<string[]>));
    }
  }
  const sum = addAll(terms);
  return reshape(sum as Tensor<string[]>, x.axes.map((a) => (a === ax.channels ? ax.out : a)), sum.sizes);
}

/**
 * conv2d(x, w): x has axes including channels, height and width (default
 * names C, H, W); w has axes [out, channels, kh, kw] (default D, C, KH, KW),
 * where the channels axis of w holds C / groups channels. The result has x's
 * axes with `channels` replaced by `out`. With groups = C and one channel per
 * group it is a depthwise convolution.
 */
export function conv2d<S extends Shape>(x: Tensor<S>, w: Tensor, options: Conv2dOptions = {}, axes: Partial<ConvAxes> = {}): Tensor {
  const ax = { ...defaultAxes, ...axes };
  const s = options.stride ?? 1;
  const p = options.padding ?? 0;
  const g = options.groups ?? 1;
  [ax.channels, ax.height, ax.width].forEach((a) => axisIndex('conv2d', x, a));
  [ax.out, ax.channels, ax.kh, ax.kw].forEach((a) => axisIndex('conv2d', w, a));
  if (w.rank !== 4) throw new ShapeError(`conv2d: weight ${labelOf(w)} must have exactly the axes ${ax.out}, ${ax.channels}, ${ax.kh}, ${ax.kw}`, { op: 'conv2d' });
  const cin = x.size(ax.channels);
  const cout = w.size(ax.out);
  if (!Number.isInteger(s) || s < 1 || !Number.isInteger(p) || p < 0) throw new ShapeError(`conv2d: stride ${s} and padding ${p} must be integers, stride >= 1, padding >= 0`, { op: 'conv2d' });
  if (!Number.isInteger(g) || g < 1 || cin % g !== 0 || cout % g !== 0) {
    throw new ShapeError(`conv2d: groups ${g} must divide the ${cin} input channels (axis ${ax.channels}) and the ${cout} output channels (axis ${ax.out})`, { op: 'conv2d', axis: ax.channels });
  }
  if (w.size(ax.channels) !== cin / g) {
    throw new ShapeError(`conv2d: axis ${ax.channels} of the weight has size ${w.size(ax.channels)} but ${cin} input channels in ${g} groups need ${cin / g}`, {
      op: 'conv2d',
      axis: ax.channels,
      sizes: [w.size(ax.channels), cin / g],
    });
  }
  [ax.height, ax.width].forEach((a, i) => {
    const k = w.size(i === 0 ? ax.kh : ax.kw);
    if (outSize(x.size(a), k, s, p) < 1) throw new ShapeError(`conv2d: axis ${a} of size ${x.size(a)} is smaller than the kernel (${k}) after padding ${p}`, { op: 'conv2d', axis: a });
  });
  if (g === 1) return denseConv(x, w, ax, s, p);
  if (g === cin && cout === cin) return depthwiseConv(x, w, ax, s, p);
  const cg = cin / g;
  const og = cout / g;
  const parts = Array.from({ length: g }, (_, k) =>
    denseConv(slice(x as unknown as Tensor<string[]>, ax.channels, k * cg, (k + 1) * cg), slice(w as Tensor<string[]>, ax.out, k * og, (k + 1) * og), ax, s, p),
  );
  return concat(parts as Tensor<string[]>[], ax.out);
}
