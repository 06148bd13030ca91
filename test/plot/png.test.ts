import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChart } from '../../src/plot/line-chart.js';
import { heatmapGrid } from '../../src/plot/heatmap.js';
import { fontsAvailable, pngSize, renderPng, svgToPng, writePlot } from '../../src/plot/png.js';

describe('plot/png', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shapegrad-plot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const chart = () => lineChart({ title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'a', points: [[0, 1], [1, 0.5], [2, 0.2]] }], width: 320, height: 200 });

  it('writes a PNG of the SVG size (and zoomed)', () => {
    const path = join(dir, 'plots', 'loss.png');
    assert.deepEqual(svgToPng(chart(), path), { width: 320, height: 200 });
    assert.deepEqual(pngSize(readFileSync(path)), { width: 320, height: 200 });
    assert.deepEqual(pngSize(renderPng(chart(), { zoom: 2 })), { width: 640, height: 400 });
    const heat = heatmapGrid({ rows: [{ image: { height: 4, width: 4, data: new Float64Array(16).fill(1) }, maps: [{ height: 2, width: 2, data: [0, 1, 2, 3] }] }], cellSize: 32 });
    assert.ok(pngSize(renderPng(heat)).width > 64);
    assert.deepEqual(readdirSync(join(dir, 'plots')), ['loss.png']);
  });

  it('writes both files of a plot', () => {
    const out = writePlot(join(dir, 'plots', 'loss.svg'), chart());
    assert.equal(out.svg, join(dir, 'plots', 'loss.svg'));
    assert.deepEqual(readdirSync(join(dir, 'plots')).sort(), ['loss.png', 'loss.svg']);
    assert.equal(readFileSync(out.svg, 'utf8'), chart());
  });

  it('warns once when no font is found', () => {
    const warnings: string[] = [];
    const none = { loadSystemFonts: false };
    assert.equal(fontsAvailable(none), false);
    renderPng(chart(), { fonts: none, warn: (m) => warnings.push(m) });
    renderPng(chart(), { fonts: none, warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /no font found.*PNG plots will have no labels/);
  });

  it('draws text with the system fonts', function () {
    if (!fontsAvailable()) this.skip(); // a machine without fonts (the warning above covers it)
    const blank = renderPng(chart().replace(/<text[^>]*>[^<]*<\/text>/g, ''));
    assert.ok(!renderPng(chart()).equals(blank));
  });

  it('rejects what is not a PNG', () => {
    assert.throws(() => pngSize(Buffer.from('not a png at all, not at all')), /not a PNG/);
  });
});
