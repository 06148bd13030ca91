/**
 * What the notebooks in examples/*.ipynb share: showing charts and tables as
 * Jupyter outputs, timing, and the modules they use that are not part of the
 * package's public API (the plots of src/plot and the DINO trainer of
 * src/train). The notebooks import the built copy:
 *
 *   import * as sg from 'shapegrad';                             // the public API (package.json's exports)
 *   import { show, lineChart } from '../dist/examples/notebook.js';
 *
 * A value with a `Symbol.for('Jupyter.display')` method is shown by Deno's
 * Jupyter kernel as the MIME bundle that method returns, when it is the last
 * expression of a cell or passed to `Deno.jupyter.display(...)`. Nothing here
 * needs Deno: outside a notebook the objects are plain values.
 */
import { renderPng } from '../src/plot/png.js';
import { isTensor } from '../src/ir/tensor.js';
import { mapTree } from '../src/ir/tree.js';
import { spec } from '../src/ir/trace.js';
import { fromArray } from '../src/ops/sources.js';
import type { NDArray } from '../src/runtime/ndarray.js';
import { subset, type Dataset } from '../src/data/dataset.js';

export { lineChart, heatmapGrid, gridOf, colorAt, PALETTE, type Series, type Grid, type HeatmapRow } from '../src/plot/index.js';
export { renderPng } from '../src/plot/png.js';
export { dinoTrainer, imageBatches, defaultDinoConfig, type DinoTrainer, type DinoState, type DinoTrainConfig } from '../src/train/dino.js';
export { backbone, xcitTiny, type Backbone } from '../src/train/models.js';

const DISPLAY = Symbol.for('Jupyter.display');

/** A MIME bundle: 'text/plain', 'text/markdown', 'image/png' (base64), 'image/svg+xml', ... */
export type MimeBundle = Record<string, string>;

/** Something Deno's Jupyter kernel displays as `bundle`. */
export interface Displayable {
  readonly bundle: MimeBundle;
  [DISPLAY](): MimeBundle;
}

export function displayable(bundle: MimeBundle): Displayable {
  return { bundle, [DISPLAY]: () => bundle };
}

export interface ShowOptions {
  /** 'png' (default: rendered with resvg, shown everywhere notebooks are, GitHub included) or 'svg' (the SVG text). */
  readonly format?: 'png' | 'svg';
  /** PNG scale; default 1. */
  readonly zoom?: number;
  /** The text shown where images are not; default the SVG's title. */
  readonly alt?: string;
}

/** An SVG chart (lineChart, heatmapGrid) as a notebook output. */
export function show(svg: string, options: ShowOptions = {}): Displayable {
  const alt = options.alt ?? /<text[^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/.exec(svg)?.[1] ?? 'chart';
  if (options.format === 'svg') return displayable({ 'image/svg+xml': svg, 'text/plain': alt });
  const png = renderPng(svg, { zoom: options.zoom ?? 1 });
  return displayable({ 'image/png': Buffer.from(png).toString('base64'), 'text/plain': alt });
}

const cellText = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)) : String(v)).replace(/\|/g, '\\|');

/** A table as Markdown (and as aligned text for plain viewers). Numbers get two decimals (four below 0.01). */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): Displayable {
  const cells = rows.map((r) => r.map(cellText));
  const md = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...cells.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const plain = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  return displayable({ 'text/markdown': md, 'text/plain': plain });
}

/** Markdown text as an output (for results computed in the cell). */
export function markdown(text: string): Displayable {
  return displayable({ 'text/markdown': text, 'text/plain': text });
}

/** Milliseconds of one call of `fn`: the median of `repeats` timed calls after `warmup` untimed ones. */
export async function timeMs(fn: () => unknown, repeats = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** A concrete array (what `evaluate` and compiled programs return): { axes, sizes, data: Float64Array }. */
export function isNd(t: unknown): t is NDArray {
  return typeof t === 'object' && t !== null && (t as NDArray).data instanceof Float64Array && !isTensor(t);
}

/** Specs shaped like a tree of concrete arrays (parameters, optimiser state), for `trace`. */
export function specsOf<T>(tree: T): never {
  return mapTree(tree, isNd, (t) => spec([...t.axes], t.sizes)) as never;
}

/** Constant tensors from a tree of concrete arrays (to apply a layer to trained parameters outside a program). */
export function asTensors<T>(tree: T): never {
  return mapTree(tree, isNd, (t) => fromArray(t.data, [...t.axes], t.sizes)) as never;
}

/** The first n images of a dataset (MNIST's splits are not sorted by class). */
export function first(ds: Dataset, n: number): Dataset {
  return n >= ds.n ? ds : subset(ds, Array.from({ length: n }, (_, i) => i));
}
