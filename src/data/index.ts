/**
 * Datasets (grayscale and colour, [C, H, W] per image), batching, and multi-crop augmentation as graph ops. Everything here
 * runs in a browser too: the parsers take bytes (parseIdx, parseClothesJson, cifarFromBytes);
 * the loaders that read files or npm data packages are in `shapegrad/node`.
 */
export { type Dataset, type Split, makeDataset, channelsOf, imageSize, subset, firstPerClass, perClassIndices, indicesByClass, classCounts } from './dataset.js';
export { parseIdx, encodeIdx, idxMagic, IdxError, type IdxArray, type IdxType, type IdxExpectation } from './idx.js';
export { mnistFromIdx, MNIST_FILES } from './mnist-idx.js';
export { parseClothesJson, FASHION_MNIST_CLASSES, FASHION_PER_CLASS, FASHION_TRAIN_PER_CLASS } from './fashion-mnist-format.js';
export { cifarFromBytes, encodeCifar, cifarRecordSize, CifarError, CIFAR_FILES, CIFAR_SIDE, CIFAR_PIXELS, type CifarKind, type CifarLabels, type CifarFile, type CifarOptions } from './cifar-format.js';
export { colourShapes, COLOUR_SHAPES_CLASSES, type ColourShapesOptions } from './colour-shapes.js';
export { colourise, inkColour } from './colourise.js';
export { contrastingColours, type Rgb } from './contrasting-colours.js';
export { DATASET_NAMES, NEEDS_DATA_ROOT, isDatasetName, type DatasetName } from './dataset-names.js';
export { permutation } from './permutation.js';
export { batches, batchesPerEpoch, epochPermutation, gatherImages, gatherLabels, type BatchOptions } from './loader.js';
/** Augmentations as graph operations driven by host-drawn random values: crops, flips, jitter, blur, solarize, rotations, views. */
export * as augment from './augment/index.js';
export {
  dinoCrops, swavCrops, pawsCrops, checkMultiCrop, sampleMultiCrop, multiCropSpecs, multiCropViews, withChannel, compileMultiCrop, imagesSpec, localViewSide, scaledLocalSide,
  type MultiCropConfig, type Views, type PresetOptions, type MultiCropSample, type MultiCropRunner, type BatchShape,
} from './multi-crop.js';
