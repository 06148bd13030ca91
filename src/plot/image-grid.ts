/**
 * A grid of images as SVG, RGB or grayscale, values in [0, 1] shown as they
 * are (not rescaled, so a darker view looks darker): one row per item, each
 * image in a square cell with integer-sized pixels. For augmented views of
 * colour images: a row per image, its views across.
 *
 *   imageGrid({ title: 'DINO views', rows: [{ label: 'image 0', images: [{ channels: 3, height: 32, width: 32, data }] }] })
 */
import { el, svgDocument, text } from './svg.js';
import type { GridOptions } from './grid-options.js';

/** One image, [C, H, W] row-major (C = 1 grayscale, 3 RGB), values in [0, 1]. */
export interface ImageCell {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: ArrayLike<number>;
}

/** One row of an image grid: a label and its images. */
export interface ImageGridRow {
  readonly label?: string;
  readonly images: readonly ImageCell[];
}

/** An image grid: its rows, and the title, column headers and cell size of every grid. */
export interface ImageGridOptions extends GridOptions {
  readonly rows: readonly ImageGridRow[];
}

const byte = (v: number): string => Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0))).toString(16).padStart(2, '0');

function checkCell(g: ImageCell, where: string): void {
  if (g.channels !== 1 && g.channels !== 3) throw new Error(`imageGrid: ${where} has ${g.channels} channels; 1 or 3 are drawn`);
  if (!Number.isInteger(g.height) || !Number.isInteger(g.width) || g.height <= 0 || g.width <= 0) throw new Error(`imageGrid: ${where} has size ${g.height}x${g.width}`);
  if (g.data.length !== g.channels * g.height * g.width) throw new Error(`imageGrid: ${where} has ${g.data.length} values for ${g.channels}x${g.height}x${g.width}`);
}

/** The colour of pixel p of an image, #rrggbb. */
function pixel(g: ImageCell, p: number): string {
  const plane = g.height * g.width;
  const at = (c: number) => byte(g.data[(g.channels === 1 ? 0 : c) * plane + p]!);
  return `#${at(0)}${at(1)}${at(2)}`;
}

/** One image as rects centred in its cell, runs of equal colour in a row merged. */
function drawImage(g: ImageCell, x0: number, y0: number, cell: number): string {
  const scale = Math.max(1, Math.floor(cell / Math.max(g.height, g.width)));
  const ox = x0 + Math.floor((cell - scale * g.width) / 2);
  const oy = y0 + Math.floor((cell - scale * g.height) / 2);
  const rects: string[] = [];
  for (let r = 0; r < g.height; r++) {
    let c = 0;
    while (c < g.width) {
      const color = pixel(g, r * g.width + c);
      let end = c + 1;
      while (end < g.width && pixel(g, r * g.width + end) === color) end++;
      rects.push(el('rect', { x: ox + c * scale, y: oy + r * scale, width: (end - c) * scale, height: scale, fill: color }));
      c = end;
    }
  }
  return el('g', { class: 'image' }, rects.join(''));
}

/** An SVG grid of RGB or grayscale images, one row per item. */
export function imageGrid(options: ImageGridOptions): string {
  const cell = options.cellSize ?? 96;
  const gap = 8;
  const rows = options.rows;
  const columns = Math.max(0, ...rows.map((r) => r.images.length));
  const labelWidth = rows.some((r) => r.label) ? Math.max(...rows.map((r) => (r.label ?? '').length)) * 7 + 12 : 0;
  const top = (options.title ? 34 : 8) + (options.columnLabels ? 18 : 0);
  const left = 8 + labelWidth;
  const width = left + columns * (cell + gap);
  const height = top + rows.length * (cell + gap) + 4;
  const parts: string[] = [];
  if (options.title) parts.push(text(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }));
  options.columnLabels?.forEach((label, c) => parts.push(text(left + c * (cell + gap) + cell / 2, top - 6, label, { 'text-anchor': 'middle', class: 'column-label' })));
  rows.forEach((row, r) => {
    const y = top + r * (cell + gap);
    if (row.label) parts.push(text(left - 8, y + cell / 2 + 4, row.label, { 'text-anchor': 'end', class: 'row-label' }));
    row.images.forEach((g, k) => {
      checkCell(g, `row ${r} image ${k}`);
      parts.push(drawImage(g, left + k * (cell + gap), y, cell));
    });
  });
  return svgDocument(width, height, parts.join('\n'));
}
