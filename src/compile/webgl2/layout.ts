/**
 * How a tensor lies in a WebGL2 texture (RGBA32F): its last axis packed four
 * values to a texel (padded to a multiple of four), one texture row per index
 * of the leading axes. A row too wide or a tensor with too many rows for the
 * device's largest texture is folded: `fold` tensor rows side by side in one
 * texture row. Reading four neighbours on the last axis is then one fetch,
 * which is what makes contractions fast (the texel is shared by four lanes of
 * the output, or by four steps of a reduction).
 */
import { numelOf } from '../../runtime/ndarray.js';

export interface TextureLayout {
  /** Size of the last axis (1 for a scalar). */
  readonly cols: number;
  /** Texels per tensor row: ceil(cols / 4). */
  readonly quads: number;
  /** Tensor rows: the product of the leading axes. */
  readonly rows: number;
  /** Tensor rows per texture row. */
  readonly fold: number;
  readonly width: number;
  readonly height: number;
}

export function textureLayout(sizes: readonly number[], maxTextureSize: number): TextureLayout {
  const cols = sizes.length === 0 ? 1 : sizes[sizes.length - 1]!;
  const rows = numelOf(sizes.slice(0, -1));
  const quads = Math.max(1, Math.ceil(cols / 4));
  if (quads > maxTextureSize) {
    throw new Error(`webgl2-native: an axis of ${cols} elements needs ${quads} texels in a row; this device's textures hold at most ${maxTextureSize}`);
  }
  const fold = rows <= maxTextureSize ? 1 : Math.ceil(rows / maxTextureSize);
  if (fold * quads > maxTextureSize) {
    throw new Error(`webgl2-native: a tensor of sizes [${sizes.join(', ')}] does not fit in one ${maxTextureSize}x${maxTextureSize} texture`);
  }
  return { cols, quads, rows: Math.max(rows, 1), fold, width: quads * fold, height: Math.ceil(Math.max(rows, 1) / fold) };
}

/** Row-major values to the texture's RGBA texels (padding lanes zero). */
export function packTexels(data: ArrayLike<number>, layout: TextureLayout, out = new Float32Array(layout.width * layout.height * 4)): Float32Array {
  const { cols, quads, rows, fold, width } = layout;
  for (let r = 0; r < rows; r++) {
    const base = (Math.floor(r / fold) * width + (r % fold) * quads) * 4;
    const src = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = data[src + c]!;
  }
  return out;
}

/** The texture's RGBA texels back to row-major float64. */
export function unpackTexels(texels: Float32Array, layout: TextureLayout): Float64Array {
  const { cols, quads, rows, fold, width } = layout;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = (Math.floor(r / fold) * width + (r % fold) * quads) * 4;
    for (let c = 0; c < cols; c++) out[r * cols + c] = texels[base + c]!;
  }
  return out;
}
