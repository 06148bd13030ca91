/**
 * Backbones the training command knows, for 28×28 grayscale images: each maps
 * images [B, H, W] to features [B, C] and may accept smaller crops (local views)
 * with the same parameters when the architecture allows it.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import { reshape } from '../ops/layout.js';
import { xcit, xcitMnist, type XcitConfig, type XcitParams } from '../nn/xcit/xcit.js';
import { resmlp, resmlpTinyMnist, type ResMlpParams } from '../nn/resmlp/resmlp.js';

export type ModelName = 'xcit-tiny' | 'resmlp-tiny';
export const modelNames: readonly ModelName[] = ['xcit-tiny', 'resmlp-tiny'];

export interface Backbone<P> {
  readonly name: ModelName;
  /** Width of the features. */
  readonly dim: number;
  /** Whether views smaller than 28×28 (local crops) can go through the same parameters. */
  readonly acceptsLocalViews: boolean;
  init(key: Key): P;
  features(params: P, images: Tensor<['B', 'H', 'W']>): Tensor<['B', 'C']>;
}

const withChannel = (x: Tensor<['B', 'H', 'W']>): Tensor<['B', 'Cin', 'H', 'W']> => reshape(x, ['B', 'Cin', 'H', 'W'], [x.sizes[0]!, 1, x.sizes[1]!, x.sizes[2]!]);

/** XCiT for MNIST (conv stem to a 7×7 grid, XCA blocks with LPI, class attention), any square view size that is a multiple of 4. */
export function xcitTiny(config: Partial<XcitConfig> = {}): Backbone<XcitParams> {
  const base = { ...xcitMnist, ...config };
  const bySize = new Map<number, ReturnType<typeof xcit>>();
  const modelFor = (side: number) => {
    if (!bySize.has(side)) bySize.set(side, xcit({ ...base, imgSize: side }));
    return bySize.get(side)!;
  };
  return {
    name: 'xcit-tiny',
    dim: base.embedDim,
    acceptsLocalViews: true,
    init: (key) => modelFor(28).init(key),
    features: (params, images) => modelFor(images.sizes[1]!).features(params, withChannel(images)),
  };
}

/** ResMLP for MNIST (patch 4, 49 tokens); its cross-patch layer fixes the number of tokens, so global views only. */
export function resmlpTiny(): Backbone<ResMlpParams> {
  const model = resmlp(resmlpTinyMnist);
  return {
    name: 'resmlp-tiny',
    dim: resmlpTinyMnist.embedDim,
    acceptsLocalViews: false,
    init: (key) => model.init(key, {}),
    features: (params, images) => model.features(params, reshape(images, ['B', 'C', 'H', 'W'], [images.sizes[0]!, 1, images.sizes[1]!, images.sizes[2]!])),
  };
}

export function backbone(name: ModelName): Backbone<unknown> {
  switch (name) {
    case 'xcit-tiny':
      return xcitTiny() as Backbone<unknown>;
    case 'resmlp-tiny':
      return resmlpTiny() as Backbone<unknown>;
  }
}
