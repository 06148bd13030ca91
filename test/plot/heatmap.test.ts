import { strict as assert } from 'node:assert';
import { gridOf, heatmapGrid } from '../../src/plot/heatmap.js';
import { parseXml } from './xml.js';

const digit = (h: number, w: number) => ({ height: h, width: w, data: Float64Array.from({ length: h * w }, (_, i) => (Math.abs((i % w) - w / 2) < 3 ? 1 : 0)) });
const map = (n: number, seed: number) => ({ height: n, width: n, data: Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * seed)) });

describe('plot/heatmap', () => {
  it('draws the image next to each head, with labels', () => {
    const svg = heatmapGrid({
      title: 'XCiT attention',
      rows: [
        { label: '7', image: digit(28, 28), maps: [map(7, 1), map(7, 2), map(7, 3)] },
        { label: '2', image: digit(28, 28), maps: [map(7, 4), map(7, 5), map(7, 6)] },
      ],
    });
    const els = parseXml(svg);
    const root = els[0]!;
    assert.equal(root.tag, 'svg');
    const t = els.filter((e) => e.tag === 'text').map((e) => e.text);
    for (const label of ['XCiT attention', 'image', 'head 0', 'head 1', 'head 2', '7', '2']) assert.ok(t.includes(label), label);
    assert.equal(els.filter((e) => e.attrs['class'] === 'image').length, 2);
    assert.equal(els.filter((e) => e.attrs['class'] === 'map').length, 6);
    // pixels are integer-sized and stay inside the document
    const width = Number(root.attrs['width']);
    const height = Number(root.attrs['height']);
    for (const r of els.filter((e) => e.tag === 'rect' && e.parent?.tag === 'g')) {
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(r.attrs[k]));
      assert.ok(Number.isInteger(x) && Number.isInteger(w) && x! >= 0 && y! >= 0 && x! + w! <= width && y! + h! <= height);
    }
    // a map is 7 cells of 13 px (96 / 7 rounded down); runs of equal colour are merged
    const firstMap = els.find((e) => e.attrs['class'] === 'map')!;
    const cells = els.filter((e) => e.parent === firstMap);
    assert.ok(cells.length > 7 && cells.length <= 49);
    assert.ok(cells.every((c) => c.attrs['height'] === '13'));
    assert.equal(cells.reduce((s, c) => s + Number(c.attrs['width']), 0), 7 * 7 * 13);
  });

  it('takes NDArrays and rejects a grid whose data does not fill it', () => {
    const g = gridOf({ axes: ['H', 'W'], sizes: [2, 3], data: new Float64Array(6) });
    assert.deepEqual([g.height, g.width], [2, 3]);
    assert.ok(parseXml(heatmapGrid({ rows: [{ image: g, maps: [] }], colormap: 'gray' })).length > 2);
    assert.throws(() => heatmapGrid({ rows: [{ image: g, maps: [{ height: 2, width: 2, data: [1, 2, 3] }] }] }), /row 0 map 0 has 3 values for 2x2/);
  });
});
