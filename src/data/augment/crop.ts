/**
 * Random resized crop, host side: the crop box (torchvision's
 * RandomResizedCrop.get_params) and the resampling matrices that turn a crop
 * into an output of fixed size (PIL's bilinear resize, which torchvision uses:
 * a triangle filter at pixel centres, widened by the scale when shrinking, so
 * downscaling is antialiased and upscaling is plain bilinear interpolation
 * with edge clamping). The graph op that applies the matrices is
 * `resample` (resample.ts).
 */

/** A crop: top row, left column, height and width, in pixels. */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** A closed interval [lo, hi]. */
export type Range = readonly [number, number];

/** torchvision's default aspect-ratio range for RandomResizedCrop. */
export const DEFAULT_RATIO: Range = [3 / 4, 4 / 3];

/** Uniform draws one crop consumes: 4 per try (area, log-ratio, top, left), 10 tries. */
export const CROP_TRIES = 10;
/** Uniform draws one RandomResizedCrop consumes (4 per try). */
export const CROP_DRAWS = 4 * CROP_TRIES;

/** Python's round(): nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** floor(u · n) for u in [0, 1): torch.randint(0, n) from one uniform draw. */
const randint = (u: number, n: number): number => Math.min(n - 1, Math.floor(u * n));

export function checkRange(name: string, r: Range, lo = 0, hi = Infinity): void {
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] >= lo) || !(r[1] <= hi) || !(r[0] <= r[1])) {
    throw new RangeError(`${name}: expected a range [a, b] with ${lo} <= a <= b <= ${hi}, got [${String(r)}]`);
  }
}

/**
 * torchvision RandomResizedCrop.get_params from uniform draws u (at least
 * CROP_DRAWS of them, each in [0, 1)): up to 10 tries of an area fraction
 * uniform in `scale` and an aspect ratio log-uniform in `ratio`, w =
 * round(sqrt(area·ratio)), h = round(sqrt(area/ratio)) (Python rounding),
 * accepted when both fit; the position is uniform over the valid offsets.
 * After 10 failures: the largest centred crop whose aspect ratio is clamped
 * into `ratio`.
 */
export function sampleCropBox(u: ArrayLike<number>, height: number, width: number, scale: Range, ratio: Range = DEFAULT_RATIO): CropBox {
  if (u.length < CROP_DRAWS) throw new RangeError(`sampleCropBox: needs ${CROP_DRAWS} uniform draws, got ${u.length}`);
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let t = 0; t < CROP_TRIES; t++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * u[4 * t]!);
    const aspect = Math.exp(logLo + (logHi - logLo) * u[4 * t + 1]!);
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: randint(u[4 * t + 2]!, height - h + 1), left: randint(u[4 * t + 3]!, width - w + 1), height: h, width: w };
    }
  }
  return centerCropBox(height, width, ratio);
}

/** torchvision's fall-back: the whole image with its aspect ratio clamped into `ratio`, centred. */
export function centerCropBox(height: number, width: number, ratio: Range = DEFAULT_RATIO): CropBox {
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(ratio[0], ratio[1])) {
    h = roundHalfEven(w / Math.min(ratio[0], ratio[1]));
  } else if (inRatio > Math.max(ratio[0], ratio[1])) {
    w = roundHalfEven(h * Math.max(ratio[0], ratio[1]));
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * Resampling weights along one axis, written into `out` at `offset` as an
 * outSize × inSize row-major block: row o holds the weights with which input
 * pixels of [start, start + length) make output pixel o (zero elsewhere). PIL's
 * bilinear resample (precompute_coeffs) on the cropped image: scale =
 * length / outSize, support = max(scale, 1), centre = (o + 0.5)·scale, weight
 * of input x = max(0, 1 - |x + 0.5 - centre| / support), normalised to sum 1.
 * A crop of the whole axis at its own size is the identity.
 */
export function resizeWeights(start: number, length: number, inSize: number, outSize: number, out: Float64Array = new Float64Array(outSize * inSize), offset = 0): Float64Array {
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 1 || start + length > inSize) {
    throw new RangeError(`resizeWeights: the span [${start}, ${start + length}) is not inside [0, ${inSize})`);
  }
  if (!Number.isInteger(outSize) || outSize < 1) throw new RangeError(`resizeWeights: output size must be a positive integer, got ${outSize}`);
  const scale = length / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), length);
    const row = offset + o * inSize + start;
    let total = 0;
    for (let x = lo; x < hi; x++) {
      const w = Math.max(0, 1 - Math.abs((x - centre + 0.5) / filterScale));
      out[row + x] = w;
      total += w;
    }
    if (total > 0) for (let x = lo; x < hi; x++) out[row + x] = out[row + x]! / total;
  }
  return out;
}
