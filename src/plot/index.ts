/** Plots written by hand as SVG (anywhere, a page too); PNG rendering with resvg is in `shapegrad/node` (png.ts). */
export { lineChart, type LineChartOptions, type Series, type ReferenceLine, type LegendPosition } from './line-chart.js';
export { heatmapGrid, gridOf, type Grid, type HeatmapRow, type HeatmapGridOptions } from './heatmap.js';
export { imageGrid, type ImageCell, type ImageGridRow, type ImageGridOptions } from './image-grid.js';
export type { GridOptions } from './grid-options.js';
export { niceTicks, colorAt, escapeXml, PALETTE, type Colormap, type Ticks } from './svg.js';
