/**
 * DINO's projection head (`DINOHead` in dino/vision_transformer.py):
 *
 *   u = mlp(x)                                nn.Sequential: Linear, [BN], GELU, ..., Linear -> bottleneck
 *   z = u / max(‖u‖₂, 1e-12)                  F.normalize over the bottleneck axis
 *   W = g ⊙ v / ‖v‖_row                       weight_norm(Linear(bottleneck, out, bias=False), dim=0)
 *   y = z · Wᵀ
 *
 * Parameters are named as the official state_dict: the mlp is an array indexed
 * like the nn.Sequential (mlp.0, mlp.2, mlp.4 with GELU at the odd indices;
 * with use_bn a BatchNorm1d follows each hidden Linear, shifting the indices;
 * with nlayers = 1 the mlp is a single Linear, mlp.weight / mlp.bias), and
 * last_layer.weight_g [K, 1], last_layer.weight_v [K, Z]. With
 * norm_last_layer (the default) weight_g is frozen: it goes through
 * stopGradient, as requires_grad = False, and its initial value is 1.
 *
 * Axes: input [..., C], hidden H, bottleneck Z, output K.
 * Initialisation as the official code: mlp Linears truncated normal std 0.02,
 * zero bias; last_layer.weight_v keeps nn.Linear's default (uniform in
 * ±1/√bottleneck, the layer is built after _init_weights ran); weight_g = 1.
 */
import type { Axis, Sizes } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { div, mul, sqrt, sub } from '../ops/elementwise.js';
import { broadcastTo, reshape } from '../ops/layout.js';
import { full } from '../ops/sources.js';
import { sum } from '../ops/reduce.js';
import { stopGradient } from '../ops/identity.js';
import { l2Normalize } from '../ops/normalization.js';
import { uniform } from '../ops/random.js';
import { contract } from '../ops/einsum.js';
import { within, type ApplyContext, type Layer } from './layer.js';
import { linear, type LinearParams } from './linear.js';
import { batchNorm, type BatchNormParams } from './batch-norm.js';
import { gelu } from './activation.js';
import { serial } from './combinators.js';

/** DINO head's widths: input, hidden, bottleneck, output (K prototypes), and its layers. */
export interface DinoHeadOptions {
  readonly inDim: number;
  readonly outDim: number;
  /** Default 2048. */
  readonly hiddenDim?: number;
  /** Default 256. */
  readonly bottleneckDim?: number;
  /** Number of Linear layers in the mlp (default 3; at least 1). */
  readonly nlayers?: number;
  /** BatchNorm1d after each hidden Linear (default false). */
  readonly useBn?: boolean;
  /** Freeze weight_g (no gradient), as the official norm_last_layer (default true). */
  readonly normLastLayer?: boolean;
}

/** An entry of DINO head's MLP list: a linear layer, a BatchNorm, or an empty slot (an activation in the reference's Sequential). */
export type DinoMlpEntry = LinearParams<Axis, Axis> | BatchNormParams<'H'> | Record<string, never>;

/** A weight-normalised linear layer's direction (weight_v) and gain (weight_g). */
export interface WeightNormParams {
  /** g [K, 1]: one scale per output row. */
  readonly weight_g: Tensor<['K', '1']>;
  /** v [K, Z]: the direction of each output row. */
  readonly weight_v: Tensor<['K', 'Z']>;
}

/** DINO head's parameters: the MLP and the weight-normalised last layer. */
export interface DinoHeadParams {
  /** nn.Sequential entries (mlp.0, mlp.1, ...), or one Linear when nlayers = 1. */
  readonly mlp: readonly DinoMlpEntry[] | LinearParams<'C', 'Z'>;
  readonly last_layer: WeightNormParams;
}

export interface DinoHeadLayer extends Layer<DinoHeadParams, ['B', 'C'], ['B', 'K']> {
  readonly options: Required<DinoHeadOptions>;
  /** The L2-normalised bottleneck z [B, Z] (debug/normalized_bottleneck). */
  bottleneck(params: DinoHeadParams, x: Tensor<['B', 'C']>, ctx?: ApplyContext): Tensor<['B', 'Z']>;
  /** The effective last-layer weight W = g ⊙ v/‖v‖_row [K, Z] (frozen g already stopped). */
  lastLayerWeight(params: DinoHeadParams): Tensor<['K', 'Z']>;
}

/** weight_norm(dim=0): W[k, :] = g[k, 0] · v[k, :] / ‖v[k, :]‖₂ (no epsilon, as torch's norm_except_dim). */
export function weightNorm(g: Tensor<['K', '1']>, v: Tensor<['K', 'Z']>): Tensor<['K', 'Z']> {
  const k = v.size('K');
  if (g.rank !== 2 || g.sizes[0] !== k || g.sizes[1] !== 1) throw new ShapeError(`weightNorm: weight_g must be [K=${k}, 1], got [${g.axes.map((a, i) => `${a}=${g.sizes[i]}`).join(', ')}]`, { op: 'weightNorm', axis: 'K' });
  const norm = sqrt(sum(mul(v, v), 'Z'));
  const scale = div(reshape(g, ['K'], [k]), norm);
  return mul(v, broadcastTo(scale, v.axes, v.sizes) as Tensor<['K', 'Z']>);
}

/** DINO's projection head: an MLP to the bottleneck, L2 normalisation, and a weight-normalised last layer to the K prototypes. */
export function dinoHead(options: DinoHeadOptions): DinoHeadLayer {
  const o: Required<DinoHeadOptions> = {
    hiddenDim: 2048,
    bottleneckDim: 256,
    nlayers: 3,
    useBn: false,
    normLastLayer: true,
    ...options,
  };
  const nlayers = Math.max(o.nlayers, 1);
  const dims = [o.inDim, o.outDim, o.hiddenDim, o.bottleneckDim];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || !Number.isInteger(o.nlayers)) throw new ShapeError(`dinoHead: dimensions and nlayers must be positive integers, got ${JSON.stringify(o)}`);

  // The nn.Sequential, entry by entry: Linear C->H, [BN], GELU, (Linear H->H, [BN], GELU)*, Linear H->Z.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const entries: Layer<any, any, any>[] = [];
  if (nlayers > 1) {
    const hidden = (l: Layer<any, any, any>) => {
      entries.push(l);
      if (o.useBn) entries.push(batchNorm('H'));
      entries.push(gelu());
    };
    hidden(linear('C', 'H'));
    for (let i = 0; i < nlayers - 2; i++) hidden(linear('H', 'H'));
    entries.push(linear('H', 'Z'));
  }
  const single = linear('C', 'Z');
  const sequential = nlayers > 1 ? (serial as unknown as (...ls: Layer<any, any, any>[]) => Layer<any, any, any>)(...entries) : undefined;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const sizes: Sizes = { C: o.inDim, H: o.hiddenDim, Z: o.bottleneckDim, K: o.outDim };

  const bottleneck = (p: DinoHeadParams, x: Tensor<['B', 'C']>, ctx?: ApplyContext): Tensor<['B', 'Z']> => {
    const mctx = within(ctx, 'mlp');
    const u = sequential === undefined ? single.apply(p.mlp as LinearParams<'C', 'Z'>, x) : (sequential.apply(p.mlp, x, mctx) as Tensor<['B', 'Z']>);
    return l2Normalize(u, 'Z', 1e-12);
  };
  const lastLayerWeight = (p: DinoHeadParams): Tensor<['K', 'Z']> => {
    const g = o.normLastLayer ? stopGradient(p.last_layer.weight_g) : p.last_layer.weight_g;
    return weightNorm(g, p.last_layer.weight_v);
  };
  return {
    options: o,
    bottleneck,
    lastLayerWeight,
    init(key: Key): DinoHeadParams {
      const [kMlp, kLast] = split(key);
      const mlp = sequential === undefined ? single.init(kMlp!, sizes) : (sequential.init(kMlp!, sizes) as DinoMlpEntry[]);
      const bound = 1 / Math.sqrt(o.bottleneckDim);
      const v = sub(mul(uniform(kLast!, ['K', 'Z'], sizes), 2 * bound), bound);
      return { mlp, last_layer: { weight_g: full(1, ['K', '1'], { K: o.outDim, '1': 1 }), weight_v: v } };
    },
    apply(p: DinoHeadParams, x: Tensor<['B', 'C']>, ctx?: ApplyContext): Tensor<['B', 'K']> {
      return contract(bottleneck(p, x, ctx), lastLayerWeight(p), 'Z') as Tensor<['B', 'K']>;
    },
  };
}
