/**
 * The small pieces the charts are written with: escaping, number formatting,
 * "nice" axis ticks and colour ramps. SVG is produced as text, by hand; no
 * charting dependency.
 */

/** Escape text and attribute values for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A coordinate with at most 2 decimals and no trailing zeros. */
export function fmt(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** An element: el('rect', { x: 1, fill: 'red' }) or el('text', { x: 0 }, 'label') (children are raw SVG). */
export function el(tag: string, attrs: Readonly<Record<string, string | number | undefined>>, children?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? fmt(v) : escapeXml(v!)}"`)
    .join('');
  return children === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${children}</${tag}>`;
}

/** A text element with escaped content. */
export function text(x: number, y: number, content: string, attrs: Readonly<Record<string, string | number | undefined>> = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** The font stack of every chart (resvg falls back to any system font). */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** The opening tag of a standalone SVG document with a white background. */
export function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="${FONT_FAMILY}" font-size="12">\n` +
    `<rect x="0" y="0" width="${fmt(width)}" height="${fmt(height)}" fill="white"/>\n${body}\n</svg>\n`
  );
}

/** Axis ticks of a chart. */
export interface Ticks {
  /** The axis range, widened to whole steps. */
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly values: readonly number[];
  /** Each value as text, with as many decimals as the step needs. */
  readonly labels: readonly string[];
}

/** Ticks at 1, 2 or 5 times a power of ten, about `count` of them, covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  let a = Number.isFinite(min) ? min : 0;
  let b = Number.isFinite(max) ? max : 1;
  if (a > b) [a, b] = [b, a];
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const raw = (b - a) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const lo = Math.floor(a / step + 1e-9) * step;
  const hi = Math.ceil(b / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  for (let k = 0; lo + k * step <= hi + step * 1e-9; k++) values.push(Number((lo + k * step).toFixed(decimals)));
  const labels = values.map((v) => formatTick(v, step, decimals));
  return { lo: values[0]!, hi: values[values.length - 1]!, step, values, labels };
}

function formatTick(v: number, step: number, decimals: number): string {
  if (v === 0) return '0';
  if (step >= 1e6 || step < 1e-5) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return v.toFixed(decimals);
}

/** Ten distinguishable colours (matplotlib's tab10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/** The colour maps of heatmaps. */
export type Colormap = 'gray' | 'viridis' | 'inferno';

const STOPS: Record<Exclude<Colormap, 'gray'>, ReadonlyArray<readonly [number, number, number]>> = {
  viridis: [
    [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
  ],
  inferno: [
    [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
    [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
  ],
};

/** A value in [0, 1] as an RGB colour '#rrggbb' on the ramp (clamped; NaN is the low end). */
export function colorAt(map: Colormap, v: number): string {
  const x = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
  let r: number;
  let g: number;
  let b: number;
  if (map === 'gray') {
    r = g = b = Math.round(x * 255);
  } else {
    const stops = STOPS[map];
    const pos = x * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(pos));
    const f = pos - i;
    const p = stops[i]!;
    const q = stops[i + 1]!;
    [r, g, b] = [0, 1, 2].map((c) => Math.round(p[c]! + (q[c]! - p[c]!) * f)) as [number, number, number];
  }
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
