/**
 * A grid of heatmaps as SVG: one row per input image, the image first and
 * then one map per attention head (or any other per-pixel quantity). Each
 * grid is normalised to its own [min, max] and drawn with integer-sized
 * pixels (no seams), centred in a square cell.
 *
 *   heatmapGrid({ title: 'XCiT attention, last block',
 *                 rows: images.map((img, i) => ({ label: `label ${labels[i]}`, image: img, maps: heads[i] })) })
 */
import type { NDArray } from '../runtime/ndarray.js';
import { colorAt, el, svgDocument, text, type Colormap } from './svg.js';
import type { GridOptions } from './grid-options.js';

/** A 2-D array of values, row-major. */
export interface Grid {
  readonly height: number;
  readonly width: number;
  readonly data: ArrayLike<number>;
}

/** One row of a heatmap grid: a label, an image and its maps. */
export interface HeatmapRow {
  readonly label?: string;
  readonly image: Grid;
  readonly maps: readonly Grid[];
}

/** A heatmap grid: its title, rows and colour map. */
export interface HeatmapGridOptions extends GridOptions {
  readonly rows: readonly HeatmapRow[];
  /** Headers over the columns; default 'image', 'head 0', 'head 1', ... */
  readonly columnLabels?: readonly string[];
  /** Colour ramp of the maps; default 'viridis'. */
  readonly colormap?: Colormap;
  /** Colour ramp of the input images; default 'gray'. */
  readonly imageColormap?: Colormap;
}

/** A Grid from a 2-axis NDArray (e.g. axes ['H', 'W']). */
export function gridOf(x: NDArray): Grid {
  if (x.sizes.length !== 2) throw new Error(`gridOf: expected 2 axes, got [${x.axes.join(', ')}]`);
  return { height: x.sizes[0]!, width: x.sizes[1]!, data: x.data };
}

function checkGrid(g: Grid, where: string): void {
  if (!Number.isInteger(g.height) || !Number.isInteger(g.width) || g.height <= 0 || g.width <= 0) throw new Error(`heatmapGrid: ${where} has size ${g.height}x${g.width}`);
  if (g.data.length !== g.height * g.width) throw new Error(`heatmapGrid: ${where} has ${g.data.length} values for ${g.height}x${g.width}`);
}

/** Pixels of one grid as rects, runs of equal colour in a row merged. */
function drawGrid(g: Grid, x0: number, y0: number, cell: number, map: Colormap, cls: string): string {
  const scale = Math.max(1, Math.floor(cell / Math.max(g.height, g.width)));
  const ox = x0 + Math.floor((cell - scale * g.width) / 2);
  const oy = y0 + Math.floor((cell - scale * g.height) / 2);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < g.data.length; i++) {
    const v = g.data[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const rects: string[] = [];
  for (let r = 0; r < g.height; r++) {
    let c = 0;
    while (c < g.width) {
      const color = colorAt(map, (g.data[r * g.width + c]! - lo) / span);
      let end = c + 1;
      while (end < g.width && colorAt(map, (g.data[r * g.width + end]! - lo) / span) === color) end++;
      rects.push(el('rect', { x: ox + c * scale, y: oy + r * scale, width: (end - c) * scale, height: scale, fill: color }));
      c = end;
    }
  }
  return el('g', { class: cls }, rects.join(''));
}

/** An SVG grid of images and heatmaps, one row per item (e.g. an image and its attention maps). */
export function heatmapGrid(options: HeatmapGridOptions): string {
  const cell = options.cellSize ?? 96;
  const gap = 8;
  const rows = options.rows;
  const mapsPerRow = Math.max(0, ...rows.map((r) => r.maps.length));
  const columns = 1 + mapsPerRow;
  const labels = options.columnLabels ?? ['image', ...Array.from({ length: mapsPerRow }, (_, i) => `head ${i}`)];
  const labelWidth = rows.some((r) => r.label) ? Math.max(...rows.map((r) => (r.label ?? '').length)) * 7 + 12 : 0;
  const top = (options.title ? 34 : 8) + 18;
  const left = 8 + labelWidth;
  const width = left + columns * (cell + gap);
  const height = top + rows.length * (cell + gap) + 4;
  const parts: string[] = [];
  if (options.title) parts.push(text(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }));
  for (let c = 0; c < columns; c++) {
    const label = labels[c];
    if (label !== undefined) parts.push(text(left + c * (cell + gap) + cell / 2, top - 6, label, { 'text-anchor': 'middle', class: 'column-label' }));
  }
  rows.forEach((row, r) => {
    const y = top + r * (cell + gap);
    if (row.label) parts.push(text(left - 8, y + cell / 2 + 4, row.label, { 'text-anchor': 'end', class: 'row-label' }));
    checkGrid(row.image, `row ${r} image`);
    parts.push(drawGrid(row.image, left, y, cell, options.imageColormap ?? 'gray', 'image'));
    row.maps.forEach((m, k) => {
      checkGrid(m, `row ${r} map ${k}`);
      parts.push(drawGrid(m, left + (k + 1) * (cell + gap), y, cell, options.colormap ?? 'viridis', 'map'));
    });
  });
  return svgDocument(width, height, parts.join('\n'));
}
