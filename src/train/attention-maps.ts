/**
 * Where a backbone's class token looks, laid back on the patch grid with the
 * class token's own weight dropped:
 *
 * - XCiT: the class-attention weights of the last class-attention block,
 *   [B, heads, 1 + patches]. XCA's own maps are channel × channel (attention
 *   across features, not positions), so the class attention is the spatial
 *   picture of the model, as in the XCiT paper.
 * - ViT: the CLS row of the last block's self-attention [B, heads, T, T], what
 *   DINO's visualize_attention.py shows (get_last_selfattention(x)[:, :, 0, 1:]).
 */
import { trace } from '../ir/trace.js';
import type { Tensor } from '../ir/tensor.js';
import { compile, type Backend } from '../compile/compile.js';
import type { ApplyContext } from '../nn/layer.js';
import type { NDArray } from '../runtime/ndarray.js';
import { reshape } from '../ops/layout.js';
import { slice } from '../ops/slicing.js';
import { heatmapGrid, type Grid } from '../plot/heatmap.js';
import type { Backbone, BackboneImages, ImageShape } from './models.js';
import { batchImagesSpec, valuesPerImage } from './trainer-images.js';
import { LUMA_WEIGHTS } from '../data/augment/colour.js';
import { specsFor } from './step-parts.js';
import type { ValuesOf } from '../runtime/interpret.js';

/** The last attention layer's class-token attention per head, for each image. */
export interface AttentionMaps {
  /** maps[i][h]: head h's weights over the patch grid for image i. */
  readonly maps: readonly (readonly Grid[])[];
  /** The emitted path the maps come from, e.g. 'cls_attn_blocks.1.attn.attention'. */
  readonly source: string;
}

const lastOf = (paths: readonly string[], pattern: RegExp): string | undefined =>
  paths
    .filter((p) => pattern.test(p))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .pop();

/** The emitted path of the last class attention (XCiT) or, failing that, of the last ViT block's self-attention. */
const lastClassAttention = (paths: readonly string[]): string | undefined => lastOf(paths, /^cls_attn_blocks\.\d+\..*attention$/) ?? lastOf(paths, /^blocks\.\d+\.attn\.attention$/);

/** The class token's row of a token × token map [B, h, T, T] as [B, h, T]; a [B, h, T] map as it is. */
export function clsRow(attention: Tensor): Tensor {
  if (attention.rank === 3) return attention;
  if (attention.rank !== 4) throw new Error(`attention maps: expected [B, heads, T] or [B, heads, T, T] weights, got axes [${attention.axes.join(', ')}]`);
  const [b, h, , m] = attention.sizes as [number, number, number, number];
  return reshape(slice(attention as Tensor<string[]>, attention.axes[2]!, 0, 1), ['B', 'Hd', 'M'], [b, h, m]);
}

/** Splits [B, heads, 1 + H·W] attention weights into per-image, per-head H×W grids (the class token's weight dropped). */
export function patchGrids(attention: NDArray, side: number): Grid[][] {
  const [b, heads, n] = attention.sizes as [number, number, number];
  if (n !== 1 + side * side) throw new Error(`attention maps: ${n} tokens is not 1 + ${side}×${side} patches`);
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: heads }, (_, h) => {
      const at = (i * heads + h) * n + 1;
      return { height: side, width: side, data: attention.data.slice(at, at + side * side) };
    }),
  );
}

/** The class attention of an XCiT or ViT backbone (in evaluation mode) on n images of its shape (net.image), flattened row-major. */
export async function classAttentionMaps<P>(net: Backbone<P>, params: ValuesOf<P>, images: Float32Array, n: number, options: { backend?: Backend } = {}): Promise<AttentionMaps> {
  if (valuesPerImage(net.image) * n !== images.length) throw new Error(`attention maps: ${images.length} values are not ${n} images of ${net.image.channels}x${net.image.side}x${net.image.side}`);
  let source = '';
  const program = trace(
    (p: P, x: BackboneImages) => {
      const emitted: Record<string, Tensor> = {};
      const ctx: ApplyContext = { training: false, key: undefined, path: [], emit: (name, value) => void (emitted[name] = value) };
      net.features(p, x, ctx);
      const found = lastClassAttention(Object.keys(emitted));
      if (found === undefined) throw new Error(`attention maps: the ${net.name} backbone has no class attention`);
      source = found;
      return clsRow(emitted[found]!);
    },
    specsFor<P>(params),
    batchImagesSpec(net.image, n),
  );
  const compiled = compile(program, options.backend === undefined ? {} : { backend: options.backend });
  try {
    const attention = await compiled.run(params, images);
    const tokens = attention.sizes[2]! - 1;
    return { maps: patchGrids(attention, Math.round(Math.sqrt(tokens))), source };
  } finally {
    compiled.destroy();
  }
}

/** Images of a shape as grayscale planes for plots: RGB through torchvision's luma weights, one channel as it is. */
export function plotPlanes(images: Float32Array, image: ImageShape): Float32Array {
  if (image.channels === 1) return images;
  const plane = image.side * image.side;
  const n = images.length / (3 * plane);
  const out = new Float32Array(n * plane);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < plane; k++) out[i * plane + k] = LUMA_WEIGHTS.reduce((acc, w, c) => acc + w * images[(i * 3 + c) * plane + k]!, 0);
  }
  return out;
}

/** One row per image (grayscale planes, see plotPlanes): the image, then each head's map. */
export function attentionPlot(images: Float32Array, labels: ArrayLike<number>, maps: AttentionMaps, title: string): string {
  const n = maps.maps.length;
  const side = Math.round(Math.sqrt(images.length / n));
  return heatmapGrid({
    title,
    rows: maps.maps.map((heads, i) => ({
      label: `label ${labels[i]}`,
      image: { height: side, width: side, data: images.subarray(i * side * side, (i + 1) * side * side) },
      maps: heads,
    })),
  });
}

