/**
 * Line charts as SVG text: axes with nice ticks, grid, axis labels, title,
 * legend; optional dashed horizontal reference lines (baselines such as the
 * raw-pixel and random-initialisation k-NN accuracy).
 *
 *   lineChart({ title: 'Training loss', xLabel: 'step', yLabel: 'loss',
 *               series: [{ name: 'dino', points: metricSeries(records, 'loss') }] })
 */
import { PALETTE, el, fmt, niceTicks, svgDocument, text } from './svg.js';

/** One series of a line chart: its name and points. */
export interface Series {
  readonly name: string;
  /** [x, y] pairs in drawing order; a non-finite value breaks the line. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color?: string;
  /** Dots at the points; default when the series has at most 40 points. */
  readonly markers?: boolean;
}

export interface ReferenceLine {
  readonly name: string;
  readonly y: number;
  readonly color?: string;
}

export interface LineChartOptions {
  readonly series: readonly Series[];
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Dashed horizontal lines across the plot, listed in the legend. */
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed ends of the axes (e.g. yMin 0, yMax 100 for accuracy); default from the data. */
  readonly xMin?: number;
  readonly xMax?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  /** Default true. */
  readonly legend?: boolean;
  /** Corner of the legend; default 'auto': the corner that covers the least of the data. */
  readonly legendPosition?: LegendPosition;
}

export type LegendPosition = 'auto' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left';

/** Reference lines: the palette colours after the series', and dash patterns of their own. */
const DASHES = ['6 4', '2 3', '10 3 2 3'] as const;
const refColor = (r: ReferenceLine, i: number, nSeries: number) => r.color ?? PALETTE[(nSeries + i) % PALETTE.length]!;
const refDash = (i: number) => DASHES[i % DASHES.length]!;

const finite = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** An SVG line chart of one or more series (e.g. losses and schedules over steps). */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const refs = options.references ?? [];
  const margin = { left: 70, right: 20, top: options.title ? 40 : 20, bottom: options.xLabel ? 56 : 36 };
  const pw = width - margin.left - margin.right;
  const ph = height - margin.top - margin.bottom;
  const all = options.series.flatMap((s) => s.points.filter(finite));
  const xs = all.map((p) => p[0]);
  const ys = [...all.map((p) => p[1]), ...refs.map((r) => r.y).filter(Number.isFinite)];
  const range = (values: number[], lo: number | undefined, hi: number | undefined, fallback: [number, number]) => {
    const a = lo ?? (values.length > 0 ? Math.min(...values) : fallback[0]);
    const b = hi ?? (values.length > 0 ? Math.max(...values) : fallback[1]);
    return niceTicks(a, b, 6);
  };
  const xt = range(xs, options.xMin, options.xMax, [0, 1]);
  const yt = range(ys, options.yMin, options.yMax, [0, 1]);
  const sx = (x: number) => margin.left + ((x - xt.lo) / (xt.hi - xt.lo)) * pw;
  const sy = (y: number) => margin.top + ph - ((y - yt.lo) / (yt.hi - yt.lo)) * ph;

  const parts: string[] = [];
  if (options.title) parts.push(text(width / 2, 24, options.title, { 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }));
  // grid and ticks
  const grid: string[] = [];
  xt.values.forEach((v, i) => {
    const x = sx(v);
    grid.push(el('line', { x1: x, y1: margin.top, x2: x, y2: margin.top + ph, stroke: '#e5e5e5' }));
    grid.push(el('line', { x1: x, y1: margin.top + ph, x2: x, y2: margin.top + ph + 5, stroke: '#333' }));
    grid.push(text(x, margin.top + ph + 18, xt.labels[i]!, { 'text-anchor': 'middle', class: 'tick' }));
  });
  yt.values.forEach((v, i) => {
    const y = sy(v);
    grid.push(el('line', { x1: margin.left, y1: y, x2: margin.left + pw, y2: y, stroke: '#e5e5e5' }));
    grid.push(el('line', { x1: margin.left - 5, y1: y, x2: margin.left, y2: y, stroke: '#333' }));
    grid.push(text(margin.left - 8, y + 4, yt.labels[i]!, { 'text-anchor': 'end', class: 'tick' }));
  });
  parts.push(el('g', { class: 'grid' }, grid.join('')));
  parts.push(el('rect', { x: margin.left, y: margin.top, width: pw, height: ph, fill: 'none', stroke: '#333' }));
  if (options.xLabel) parts.push(text(margin.left + pw / 2, height - 14, options.xLabel, { 'text-anchor': 'middle', class: 'x-label' }));
  if (options.yLabel) {
    const x = 18;
    const y = margin.top + ph / 2;
    parts.push(text(x, y, options.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 ${fmt(x)} ${fmt(y)})`, class: 'y-label' }));
  }

  // data, clipped to the plot area
  const data: string[] = [];
  refs.forEach((r, i) => {
    if (!Number.isFinite(r.y)) return;
    data.push(el('line', { x1: margin.left, y1: sy(r.y), x2: margin.left + pw, y2: sy(r.y), stroke: refColor(r, i, options.series.length), 'stroke-width': 1.5, 'stroke-dasharray': refDash(i), class: 'reference', 'data-name': r.name, 'data-index': i }));
  });
  options.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (!finite(p)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${fmt(sx(p[0]))} ${fmt(sy(p[1]))}`;
      pen = true;
    }
    const body: string[] = [];
    if (d !== '') body.push(el('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round' }));
    if (s.markers ?? s.points.length <= 40) for (const p of s.points.filter(finite)) body.push(el('circle', { cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: color }));
    data.push(el('g', { class: 'series', 'data-name': s.name }, body.join('')));
  });
  parts.push(el('defs', {}, el('clipPath', { id: 'plot-area' }, el('rect', { x: margin.left, y: margin.top, width: pw, height: ph }))));
  parts.push(el('g', { 'clip-path': 'url(#plot-area)' }, data.join('')));
  if (all.length === 0) parts.push(text(margin.left + pw / 2, margin.top + ph / 2, 'no data', { 'text-anchor': 'middle', fill: '#888' }));

  // legend, top right inside the plot
  const entries = [
    ...options.series.map((s, i) => ({ name: s.name, color: s.color ?? PALETTE[i % PALETTE.length]!, dash: undefined as string | undefined })),
    ...refs.map((r, i) => ({ name: r.name, color: refColor(r, i, options.series.length), dash: refDash(i) as string | undefined })),
  ];
  if ((options.legend ?? true) && entries.length > 0) {
    const lw = Math.min(pw - 8, 36 + 7 * Math.max(...entries.map((e) => e.name.length)));
    const lh = 8 + entries.length * 18;
    const corner = (pos: Exclude<LegendPosition, 'auto'>) => ({
      lx: pos.endsWith('right') ? margin.left + pw - lw - 8 : margin.left + 8,
      ly: pos.startsWith('top') ? margin.top + 8 : margin.top + ph - lh - 8,
    });
    // the data as pixels: points along every segment, and the reference lines
    const samples: Array<[number, number]> = [];
    for (const s of options.series) {
      let prev: readonly [number, number] | undefined;
      for (const p of s.points) {
        if (!finite(p)) {
          prev = undefined;
          continue;
        }
        const q: [number, number] = [sx(p[0]), sy(p[1])];
        const n = prev === undefined ? 1 : Math.min(20, Math.ceil(Math.hypot(q[0] - prev[0], q[1] - prev[1]) / 5));
        for (let k = 1; k <= n; k++) samples.push(prev === undefined ? q : [prev[0] + ((q[0] - prev[0]) * k) / n, prev[1] + ((q[1] - prev[1]) * k) / n]);
        prev = q;
      }
    }
    for (const r of refs) if (Number.isFinite(r.y)) for (let x = margin.left; x <= margin.left + pw; x += 5) samples.push([x, sy(r.y)]);
    const covered = (pos: Exclude<LegendPosition, 'auto'>) => {
      const { lx, ly } = corner(pos);
      return samples.filter(([x, y]) => x >= lx - 4 && x <= lx + lw + 4 && y >= ly - 4 && y <= ly + lh + 4).length;
    };
    const corners = ['top-right', 'bottom-right', 'top-left', 'bottom-left'] as const;
    const wanted = options.legendPosition ?? 'auto';
    const pos = wanted !== 'auto' ? wanted : corners.reduce((best, c) => (covered(c) < covered(best) ? c : best));
    const { lx, ly } = corner(pos);
    const rows = entries.map((e, i) => {
      const y = ly + 14 + i * 18;
      return (
        el('line', { x1: lx + 8, y1: y - 4, x2: lx + 28, y2: y - 4, stroke: e.color, 'stroke-width': 2, 'stroke-dasharray': e.dash }) +
        text(lx + 34, y, e.name)
      );
    });
    parts.push(el('g', { class: 'legend', 'data-position': pos }, el('rect', { x: lx, y: ly, width: lw, height: lh, fill: 'white', 'fill-opacity': 0.85, stroke: '#bbb' }) + rows.join('')));
  }
  return svgDocument(width, height, parts.join('\n'));
}

