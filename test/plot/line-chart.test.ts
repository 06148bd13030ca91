import { strict as assert } from 'node:assert';
import { lineChart } from '../../src/plot/line-chart.js';
import { colorAt, escapeXml, niceTicks } from '../../src/plot/svg.js';
import { parseXml } from './xml.js';

const texts = (svg: string) => parseXml(svg).filter((e) => e.tag === 'text').map((e) => e.text);

describe('plot/line-chart', () => {
  it('chooses nice ticks', () => {
    assert.deepEqual(niceTicks(0, 1, 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0.3, 9.7, 5).labels, ['0', '2', '4', '6', '8', '10']);
    const t = niceTicks(2.31, 4.87, 6);
    assert.ok(t.lo <= 2.31 && t.hi >= 4.87);
    assert.deepEqual(t.labels, ['2.0', '2.5', '3.0', '3.5', '4.0', '4.5', '5.0']);
    assert.deepEqual(niceTicks(0, 2000, 6).labels, ['0', '500', '1000', '1500', '2000']);
    const flat = niceTicks(3, 3);
    assert.ok(flat.lo < 3 && flat.hi > 3);
    assert.ok(niceTicks(0, 1e-7).labels.every((l) => l.length < 10));
    assert.equal(colorAt('gray', 0.5), '#808080');
    assert.equal(colorAt('viridis', 0), '#440154');
    assert.equal(colorAt('viridis', 1), '#fde725');
    assert.equal(escapeXml(`<a & "b">`), '&lt;a &amp; &quot;b&quot;&gt;');
  });

  it('draws a well-formed chart with the series, labels, ticks and legend', () => {
    const loss = Array.from({ length: 200 }, (_, i) => [i * 10, 5 * Math.exp(-i / 50) + 0.1] as const);
    const svg = lineChart({
      title: 'Training loss <dino & xcit>',
      xLabel: 'step',
      yLabel: 'loss',
      series: [{ name: 'student', points: loss }, { name: 'ema', points: loss.map(([x, y]) => [x, y * 1.1] as const) }],
    });
    const els = parseXml(svg);
    const root = els[0]!;
    assert.equal(root.tag, 'svg');
    assert.equal(root.attrs['width'], '640');
    assert.equal(root.attrs['xmlns'], 'http://www.w3.org/2000/svg');
    const t = texts(svg);
    assert.ok(t.includes('Training loss <dino & xcit>'));
    assert.ok(t.includes('step') && t.includes('loss'));
    assert.ok(t.includes('student') && t.includes('ema'));
    assert.ok(t.includes('0') && t.includes('2000'), t.join('|'));
    const series = els.filter((e) => e.attrs['class'] === 'series');
    assert.deepEqual(series.map((e) => e.attrs['data-name']), ['student', 'ema']);
    const paths = els.filter((e) => e.tag === 'path');
    assert.equal(paths.length, 2);
    assert.equal((paths[0]!.attrs['d']!.match(/[ML]/g) ?? []).length, 200);
    assert.equal(els.filter((e) => e.tag === 'circle').length, 0); // many points: no markers
    assert.equal(els.find((e) => e.attrs['class'] === 'legend')!.attrs['data-position'], 'top-right'); // a falling curve
    // every coordinate lies inside the document
    for (const p of paths) for (const [, x, y] of p.attrs['d']!.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)) assert.ok(+x! >= 0 && +x! <= 640 && +y! >= 0 && +y! <= 400);
  });

  it('marks few points, breaks lines at missing values and draws reference lines', () => {
    const svg = lineChart({
      title: 'k-NN top-1',
      xLabel: 'step',
      yLabel: 'accuracy (%)',
      yMin: 0,
      yMax: 100,
      series: [{ name: 'dino', points: [[0, 11], [100, 60], [200, NaN], [300, 88]] }],
      references: [{ name: 'raw pixels', y: 97 }, { name: 'random init', y: 80 }],
    });
    const els = parseXml(svg);
    assert.equal(els.filter((e) => e.tag === 'circle').length, 3);
    assert.equal(els.find((e) => e.tag === 'path')!.attrs['d']!.match(/M/g)!.length, 2);
    assert.deepEqual(els.filter((e) => e.attrs['class'] === 'reference').map((e) => e.attrs['data-name']), ['raw pixels', 'random init']);
    // the curve rises to the top right and the baselines are high: the legend goes bottom right
    assert.equal(els.find((e) => e.attrs['class'] === 'legend')!.attrs['data-position'], 'bottom-right');
    const t = texts(svg);
    assert.ok(t.includes('raw pixels') && t.includes('random init') && t.includes('100') && t.includes('accuracy (%)'));
  });

  it('draws an empty chart without failing', () => {
    const svg = lineChart({ series: [{ name: 'none', points: [] }] });
    assert.ok(texts(svg).includes('no data'));
    assert.ok(!/NaN|Infinity|undefined/.test(svg));
  });

  it('the xml checker rejects broken documents', () => {
    assert.throws(() => parseXml('<svg><g></svg>'), /closes/);
    assert.throws(() => parseXml('<svg><text>a & b</text></svg>'), /bare '&'/);
    assert.throws(() => parseXml('<svg a="1" a="2"/>'), /duplicate/);
    assert.throws(() => parseXml('<svg><g>'), /unclosed/);
    assert.throws(() => parseXml('<svg/><svg/>'), /second root/);
  });
});
