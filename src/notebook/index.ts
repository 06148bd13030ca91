/**
 * shapegrad/notebook (Node): what the example notebooks use beside the library: charts and
 * tables as Jupyter outputs (Deno's kernel), timing, and trees of trained parameters as
 * tensors. The plots are re-exported so that a notebook needs one import for them.
 */
export { show, table, markdown, displayable, type Displayable, type MimeBundle, type ShowOptions } from './display.js';
export { timeMs } from './timing.js';
export { isNd, specsOf, asTensors, first } from './trees.js';
export { lineChart, heatmapGrid, gridOf, imageGrid, colorAt, PALETTE, type Series, type Grid, type HeatmapRow, type ImageCell, type ImageGridRow } from '../plot/index.js';
export { renderPng } from '../plot/png.js';
