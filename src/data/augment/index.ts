/** Augmentations as graph ops over [B, H, W] grayscale and [B, C, H, W] colour batches, with host-drawn per-image parameters. */
export { resample, type Images, type RowWeights, type ColumnWeights } from './resample.js';
export { sampleCropBox, centerCropBox, resizeWeights, roundHalfEven, DEFAULT_RATIO, CROP_DRAWS, CROP_TRIES, type CropBox, type Range } from './crop.js';
export { reverseRows, flipMatrices } from './flip.js';
export { gaussianWeights, identityWeights } from './blur.js';
export { brightness, contrast, colorJitter, clamp, type PerImage } from './jitter.js';
export { solarize, SOLARIZE_THRESHOLD } from './solarize.js';
export { rotate, rotationParams, transposeWhere, turnFlips, type Turns } from './rotate.js';
export {
  augmentView, sampleView, viewSpecs, checkViewConfig, outputSize, SLOT, DRAWS_PER_IMAGE,
  type ViewConfig, type JitterConfig, type BlurConfig, type ViewData, type ViewValues, type ViewSpecs, type ViewTensors, type ViewDraws, type ViewSample, type ImageSize,
} from './view.js';
export {
  luma, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, rgbToHsv, hsvToRgb, randomGrayscale, colourJitter, resampleColour, solarizeColour,
  sampleColourJitter, LUMA_WEIGHTS, JITTER_STEPS, JITTER_DRAWS, DINO_COLOUR_JITTER,
  type ColourImages, type ColourJitterParams, type ColourJitterConfig, type ColourJitterDraw,
} from './colour.js';
