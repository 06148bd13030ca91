/**
 * shapegrad/node: what needs Node's file system, npm packages on disk or native
 * add-ons. The main entry (`shapegrad`) runs in a browser too; its parsers take
 * bytes (parseIdx, mnistFromIdx, parseClothesJson, cifarFromBytes, checkGolden), and this entry
 * reads the files for them; `typeErrors` drives the TypeScript compiler on disk.
 */
export { loadMnist, defaultMnistRoot, type MnistOptions } from '../data/mnist.js';
export { loadFashionMnist, defaultFashionMnistRoot, clearFashionMnistCache, type FashionMnistOptions } from '../data/fashion-mnist.js';
export { readIdx, readIdxBytes } from '../data/idx-file.js';
export { loadCifar } from '../data/cifar.js';
export { loadImageFolder, writeImageFolder, decodeImage, ImageFileError, IMAGE_EXTENSIONS, type ImageFolder, type ImageFolderOptions, type Rgba } from '../data/image-folder.js';
export { loadNamedDataset } from '../data/resolve.js';
export { runConformance, checkFile, checkFileOn, goldenFiles, loadGolden } from '../testing/conformance/runner.js';
export { svgToPng, renderPng, writePlot, pngSize, fontsAvailable, type PngOptions, type FontOptions } from '../plot/png.js';
export { readSafetensors, writeSafetensors } from './safetensors-file.js';
export { typeErrors, explainTypeErrors, type TypeDiagnostic, type TypeCheckOptions } from '../testing/typecheck.js';
