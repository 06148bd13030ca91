/** Plots written by hand as SVG, and rendered to PNG with resvg. */
export { lineChart, type LineChartOptions, type Series, type ReferenceLine, type LegendPosition } from './line-chart.js';
export { heatmapGrid, gridOf, type Grid, type HeatmapRow, type HeatmapGridOptions } from './heatmap.js';
export { svgToPng, renderPng, writePlot, pngSize, fontsAvailable, type PngOptions, type FontOptions } from './png.js';
export { niceTicks, colorAt, escapeXml, PALETTE, type Colormap, type Ticks } from './svg.js';
