/**
 * SEER: SwAV on a RegNetY trunk, configured for scale. SEER adds no new loss;
 * it is a configuration that wires the SwAV objective to a trunk:
 *
 *   images (crop-major views) → trunk → features [B, C]
 *     → projection head (Linear, BatchNorm, ReLU)×hiddenLayers, Linear → [B, D]
 *     → L2 normalise → embedding;  scores = embedding · Wᵀ with W the (normalised) prototypes [K, D]
 *     → swav(...) with its queue state
 *
 * `seer` accepts any trunk Layer<P, In, ['B', 'C']> (a RegNetY from
 * nn/regnet, or a small stand-in for tests); `seerRegNet` builds the RegNetY
 * one. Parameters are { trunk, projection_head, prototypes }.
 *
 * `seerDefaults` gathers the SEER paper's settings (Goyal et al., 2021, §3:
 * 16K prototypes, 2×224 + 4×96 crops, a 3-layer head 8192-8192-256,
 * τ = 0.1, ε = 0.05); they are recorded from the paper, not from code
 * executed here, and are a starting point to adjust, not a golden reference.
 */
import type { Axis, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { split, type Key } from '../runtime/prng.js';
import { relu } from '../ops/activations.js';
import { l2Normalize } from '../ops/normalization.js';
import { truncNormalInit } from '../nn/init.js';
import { within, type ApplyContext, type Layer } from '../nn/layer.js';
import { linearApply, linear, type LinearParams } from '../nn/linear.js';
import { batchNorm, type BatchNormParams } from '../nn/batch-norm.js';
import { regnet, type RegNetConfig, type RegNetParams } from '../nn/regnet/regnet.js';
import type { Image } from '../nn/regnet/block.js';
import { swav, type Swav, type SwavConfig, type SwavResult, type SwavState } from './swav.js';
import type { NotTeacher } from './teacher.js';

/** SEER's projection head. */
export interface SeerHeadConfig {
  /** Width of the hidden layers (axis 'H'). */
  readonly hidden: number;
  /** Number of Linear-BatchNorm-ReLU layers before the last Linear. */
  readonly hiddenLayers: number;
  /** Output (embedding) width (axis 'D'). */
  readonly out: number;
}

/** SEER's configuration: trunk width, head, prototypes, SwAV's settings. */
export interface SeerConfig {
  /** Width of the trunk's features (axis 'C'). */
  readonly trunkWidth: number;
  readonly head: SeerHeadConfig;
  /** Number of prototypes (axis 'K'). */
  readonly prototypes: number;
  readonly swav: SwavConfig;
}

/** The SEER paper's settings around a trunk of the given width. */
export function seerDefaults(trunkWidth: number): SeerConfig {
  return {
    trunkWidth,
    head: { hidden: 8192, hiddenLayers: 2, out: 256 },
    prototypes: 16000,
    swav: { nmbCrops: [2, 4], cropsForAssign: [0, 1], temperature: 0.1, epsilon: 0.05, sinkhornIterations: 3, queueLength: 0, freezePrototypesNiters: 0 },
  };
}

type HiddenLayer = readonly [LinearParams<Axis, 'H'>, BatchNormParams<'H'>];

/** SEER's parameters: trunk, projection head, prototypes. */
export interface SeerParams<P> {
  readonly trunk: P;
  /** [[linear, bn], ...] for the hidden layers, then the last linear. */
  readonly projection_head: { readonly hidden: readonly HiddenLayer[]; readonly out: LinearParams<'H', 'D'> };
  readonly prototypes: { readonly weight: Tensor<['K', 'D']> };
}

/** SEER: a trunk with SwAV's head and prototypes, its parameters and loss. */
export interface Seer<P, In extends readonly Axis[]> {
  readonly config: SeerConfig;
  readonly objective: Swav;
  readonly sizes: Sizes;
  /** Parameters; `trunkSizes` binds any axes the trunk's init needs beyond C (e.g. an input width). */
  init(key: Key, trunkSizes?: Sizes): SeerParams<P>;
  /** The L2-normalised embeddings of stacked views [V·B, D] (rows follow the trunk's batch axis). */
  embed(params: SeerParams<P>, views: Tensor<In>, ctx?: ApplyContext): Tensor<['B', 'D']>;
  /** Normalise the prototypes (the update at the top of each SwAV iteration). */
  normalizePrototypes(params: SeerParams<P>): SeerParams<P>;
  /** The SwAV loss of one batch of crop-major stacked views, for the parameters being trained (a teacher's are refused). */
  loss(params: NotTeacher<SeerParams<P>>, views: Tensor<In>, state: SwavState<'D'>, iteration: number, ctx?: ApplyContext): SwavResult<'B', 'K', 'D'>;
  /** SwAV's state before the first iteration (an empty queue, if any). */
  initState(): SwavState<'D'>;
}

/** SEER's wiring around any trunk producing features [B, C]. */
export function seer<P, In extends readonly Axis[]>(trunk: Layer<P, In, ['B', 'C']>, config: SeerConfig): Seer<P, In> {
  const objective = swav(config.swav);
  const sizes: Sizes = { C: config.trunkWidth, H: config.head.hidden, D: config.head.out, K: config.prototypes };
  const first = linear('C', 'H');
  const middle = linear('H', 'H');
  const last = linear('H', 'D');
  const bn = batchNorm('H');
  const embed = (params: SeerParams<P>, views: Tensor<In>, ctx?: ApplyContext): Tensor<['B', 'D']> => {
    let h: Tensor = trunk.apply(params.trunk, views, within(ctx, 'trunk'));
    const hctx = within(ctx, 'projection_head');
    params.projection_head.hidden.forEach(([lin, norm], i) => {
      const lctx = within(within(hctx, 'hidden'), i);
      const y = linearApply(h, lin.weight, lin.bias, i === 0 ? 'C' : 'H', 'H');
      h = relu(bn.apply(norm, y as Tensor<['B', 'H']>, within(lctx, 1)));
    });
    const out = params.projection_head.out;
    const z = linearApply(h, out.weight, out.bias, config.head.hiddenLayers === 0 ? 'C' : 'H', 'D') as Tensor<['B', 'D']>;
    return l2Normalize(z, 'D');
  };
  return {
    config,
    objective,
    sizes,
    init(key, trunkSizes = {}) {
      const [kt, kh, kp] = split(key, 3) as [Key, Key, Key];
      const keys = config.head.hiddenLayers > 0 ? split(kh, config.head.hiddenLayers + 1) : [kh];
      const hidden = Array.from({ length: config.head.hiddenLayers }, (_, i): HiddenLayer => [
        (i === 0 ? first : middle).init(keys[i]!, sizes) as LinearParams<Axis, 'H'>,
        bn.init(keys[i]!, sizes),
      ]);
      const outLayer = config.head.hiddenLayers === 0 ? linear('C', 'D') : last;
      return {
        trunk: trunk.init(kt, { ...trunkSizes, ...sizes }),
        projection_head: { hidden, out: outLayer.init(keys[config.head.hiddenLayers]!, sizes) as LinearParams<'H', 'D'> },
        prototypes: { weight: truncNormalInit(kp, ['K', 'D'], sizes, 0.02) as Tensor<['K', 'D']> },
      };
    },
    embed,
    normalizePrototypes: (params) => ({ ...params, prototypes: { weight: objective.normalizePrototypes(params.prototypes.weight) as Tensor<['K', 'D']> } }),
    loss(params, views, state, iteration, ctx) {
      const embedding = embed(params, views, ctx);
      return objective.loss({ embedding, prototypes: params.prototypes.weight }, state, iteration);
    },
    initState: () => objective.init('D', config.head.out),
  };
}

/** SEER with a RegNetY trunk (nn/regnet): features of width the last stage's. */
export function seerRegNet(trunkConfig: RegNetConfig, overrides: Partial<Omit<SeerConfig, 'trunkWidth'>> = {}): Seer<RegNetParams, Image> {
  const width = trunkConfig.stages[trunkConfig.stages.length - 1]?.width ?? trunkConfig.stemWidth;
  return seer(regnet(trunkConfig), { ...seerDefaults(width), ...overrides });
}
