/**
 * Notebook outputs. A value with a `Symbol.for('Jupyter.display')` method is shown by Deno's
 * Jupyter kernel as the MIME bundle that method returns, when it is the last expression of a
 * cell or passed to `Deno.jupyter.display(...)`; outside a notebook these are plain values.
 */
import { renderPng } from '../plot/png.js';

const DISPLAY = Symbol.for('Jupyter.display');

/** A MIME bundle: 'text/plain', 'text/markdown', 'image/png' (base64), 'image/svg+xml', ... */
export type MimeBundle = Record<string, string>;

/** Something Deno's Jupyter kernel displays as `bundle`. */
export interface Displayable {
  readonly bundle: MimeBundle;
  /** The MIME bundle a Jupyter (Deno) kernel shows for this value. */
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

