/**
 * Datasets, batching, and multi-crop augmentation as graph ops. Everything here
 * runs in a browser too: the parsers take bytes (parseIdx, parseClothesJson);
 * the loaders that read files or npm data packages are in `shapegrad/node`.
 */
export { type Dataset, type Split, makeDataset, subset, firstPerClass, perClassIndices, indicesByClass, classCounts } from './dataset.js';
export { parseIdx, encodeIdx, idxMagic, IdxError, type IdxArray, type IdxType, type IdxExpectation } from './idx.js';
export { mnistFromIdx, MNIST_FILES } from './mnist-idx.js';
export { parseClothesJson, FASHION_MNIST_CLASSES, FASHION_PER_CLASS, FASHION_TRAIN_PER_CLASS } from './fashion-mnist-format.js';
export { permutation } from './permutation.js';
export { batches, batchesPerEpoch, epochPermutation, gatherImages, gatherLabels, type BatchOptions } from './loader.js';
/** Augmentations as graph operations driven by host-drawn random values: crops, flips, jitter, blur, solarize, rotations, views. */
export * as augment from './augment/index.js';
export {
  dinoCrops, swavCrops, pawsCrops, checkMultiCrop, sampleMultiCrop, multiCropSpecs, multiCropViews, withChannel, compileMultiCrop,
  type MultiCropConfig, type Views, type PresetOptions, type MultiCropSample, type MultiCropRunner, type BatchShape,
} from './multi-crop.js';
