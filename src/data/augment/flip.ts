/**
 * Horizontal (and vertical) flips, host side. A flip of the output is a
 * reversal of the rows of the resampling matrix that produces that axis, so a
 * flip costs nothing in the graph: it is folded into the crop's Rx (or Ry).
 */

/** Reverse the order of the outSize rows of an outSize × inSize row-major block at `offset`. */
export function reverseRows(m: Float64Array, outSize: number, inSize: number, offset = 0): void {
  for (let a = 0, b = outSize - 1; a < b; a++, b--) {
    for (let x = 0; x < inSize; x++) {
      const i = offset + a * inSize + x;
      const j = offset + b * inSize + x;
      const t = m[i]!;
      m[i] = m[j]!;
      m[j] = t;
    }
  }
}

/**
 * Per-image matrices for `resample` that flip image b horizontally where
 * flags[b] is set and leave it unchanged otherwise: ry [B, H, H] identities,
 * rx [B, W, W] the reversal or the identity.
 */
export function flipMatrices(flags: ArrayLike<number | boolean>, height: number, width: number): { readonly ry: Float64Array; readonly rx: Float64Array } {
  const n = flags.length;
  const ry = new Float64Array(n * height * height);
  const rx = new Float64Array(n * width * width);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) ry[b * height * height + i * height + i] = 1;
    for (let j = 0; j < width; j++) rx[b * width * width + j * width + (flags[b] ? width - 1 - j : j)] = 1;
  }
  return { ry, rx };
}
