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
import type { Key } from '../runtime/prng.js';
import { div, mul, sqrt, sub } from '../ops/elementwise.js';
import { broadcastTo, reshape } from '../ops/layout.js';
import { full } from '../ops/sources.js';
import { sum } from '../ops/reduce.js';
import { stopGradient } from '../ops/identity.js';
import { l2Normalize } from '../ops/normalization.js';
import { uniform } from '../ops/random.js';
import { contract } from '../ops/einsum.js';
import { withAxes } from '../ops/with-axes.js';
import type { ApplyContext, Layer } from './layer.js';
import { linear, type LinearParams } from './linear.js';
import { batchNorm, type BatchNormParams } from './batch-norm.js';
import { gelu } from './activation.js';
import { repeat } from './combinators.js';
import { applyFields, at, record, type RecordLayer } from './record.js';

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
export type DinoMlpEntry = LinearParams<'C', 'H'> | LinearParams<'H', 'H'> | LinearParams<'H', 'Z'> | BatchNormParams<'H'> | Record<string, never>;

/** The head's MLP: nn.Sequential entries (mlp.0, mlp.1, ...), or one Linear when nlayers = 1. */
export type DinoMlpParams = readonly DinoMlpEntry[] | LinearParams<'C', 'Z'>;

/** A weight-normalised linear layer's direction (weight_v) and gain (weight_g). */
export interface WeightNormParams {
  /** g [K, 1]: one scale per output row. */
  readonly weight_g: Tensor<['K', '1']>;
  /** v [K, Z]: the direction of each output row. */
  readonly weight_v: Tensor<['K', 'Z']>;
}

/** DINO head's parameters: the MLP and the weight-normalised last layer. */
export interface DinoHeadParams {
  readonly mlp: DinoMlpParams;
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

type Rows<A extends Axis> = ['B', A];
type MlpEntryLayer = Layer<DinoMlpEntry, Rows<Axis>, Rows<Axis>>;

/** The nn.Sequential, entry by entry: Linear C->H, [BN], GELU, (Linear H->H, [BN], GELU)*, Linear H->Z. */
function mlpEntries(nlayers: number, useBn: boolean): MlpEntryLayer[] {
  const hidden = (l: MlpEntryLayer): MlpEntryLayer[] => [l, ...(useBn ? [at<Rows<'H'>>()(batchNorm('H'))] : []), at<Rows<'H'>>()(gelu())];
  const middle = Array.from({ length: nlayers - 2 }, () => hidden(at<Rows<'H'>>()(linear('H', 'H'))));
  return [...hidden(at<Rows<'C'>, Rows<'H'>>()(linear('C', 'H'))), ...middle.flat(), at<Rows<'H'>, Rows<'Z'>>()(linear('H', 'Z'))];
}

const isSequence = (p: DinoMlpParams): p is readonly DinoMlpEntry[] => Array.isArray(p);

/** DINO head's mlp: the Sequential's entries in order (params an array, as its state_dict), or one Linear C->Z when nlayers = 1. */
function dinoMlp(nlayers: number, useBn: boolean): Layer<DinoMlpParams, Rows<'C'>, Rows<'Z'>> {
  if (nlayers === 1) return linear('C', 'Z');
  const entries = mlpEntries(nlayers, useBn);
  const sequential = repeat(entries.length, (i) => entries[i]!);
  return {
    init: (key, sizes) => sequential.init(key, sizes),
    apply(p, x, ctx) {
      if (!isSequence(p)) throw new ShapeError(`dinoHead: with nlayers = ${nlayers} the mlp parameters must be the Sequential's ${entries.length} entries (mlp.0, mlp.1, ...)`);
      return withAxes(sequential.apply([...p], x, ctx), ['B', 'Z']);
    },
  };
}

/** weight_norm(Linear(Z, K, bias=False)): init as nn.Linear's default (v uniform in ±1/√Z) with g = 1; a frozen g goes through stopGradient. */
function weightNormLinear(bottleneckDim: number, frozenGain: boolean): Layer<WeightNormParams, Rows<'Z'>, Rows<'K'>> & { weight(p: WeightNormParams): Tensor<['K', 'Z']> } {
  const weight = (p: WeightNormParams) => weightNorm(frozenGain ? stopGradient(p.weight_g) : p.weight_g, p.weight_v);
  return {
    weight,
    init(key: Key, sizes: Sizes): WeightNormParams {
      const bound = 1 / Math.sqrt(bottleneckDim);
      const v = sub(mul(uniform(key, ['K', 'Z'], sizes), 2 * bound), bound);
      return { weight_g: full(1, ['K', '1'], { K: sizes['K'] ?? NaN, '1': 1 }), weight_v: v };
    },
    apply: (p, z) => withAxes(contract(z, weight(p), 'Z'), ['B', 'K']),
  };
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
  const dims = [o.inDim, o.outDim, o.hiddenDim, o.bottleneckDim];
  if (!dims.every((d) => Number.isInteger(d) && d > 0) || !Number.isInteger(o.nlayers)) throw new ShapeError(`dinoHead: dimensions and nlayers must be positive integers, got ${JSON.stringify(o)}`);
  const lastLayer = weightNormLinear(o.bottleneckDim, o.normLastLayer);
  const fields = { mlp: dinoMlp(Math.max(o.nlayers, 1), o.useBn), last_layer: lastLayer };
  const normalized = (u: Tensor<Rows<'Z'>>) => l2Normalize(u, 'Z', 1e-12);
  const head: RecordLayer<typeof fields, Rows<'C'>, Rows<'K'>> = record(fields, (f, x) => f.last_layer(normalized(f.mlp(x))));
  const sizes: Sizes = { C: o.inDim, H: o.hiddenDim, Z: o.bottleneckDim, K: o.outDim };
  return {
    options: o,
    bottleneck: (p, x, ctx) => normalized(applyFields(fields, p, ctx).mlp(x)),
    lastLayerWeight: (p) => lastLayer.weight(p.last_layer),
    init: (key) => head.init(key, sizes),
    apply: head.apply,
  };
}
