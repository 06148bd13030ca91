import { strict as assert } from 'node:assert';
import { imageGrid } from '../../src/plot/image-grid.js';
import { parseXml } from './xml.js';

/** A 2×2 RGB image: red, green / blue, white, [C, H, W]. */
const quad = { channels: 3, height: 2, width: 2, data: Float64Array.from([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]) };

describe('plot/image-grid', () => {
  it('draws RGB pixels in their colours, channel planes [C, H, W], and grayscale as gray', () => {
    const svg = imageGrid({ title: 'views', columnLabels: ['a', 'b'], rows: [{ label: 'image 0', images: [quad, { channels: 1, height: 1, width: 2, data: [0.5, 2] }] }], cellSize: 20 });
    const els = parseXml(svg);
    const texts = els.filter((e) => e.tag === 'text').map((e) => e.text);
    for (const t of ['views', 'a', 'b', 'image 0']) assert.ok(texts.includes(t), t);
    const groups = els.filter((e) => e.attrs['class'] === 'image');
    assert.equal(groups.length, 2);
    const fills = (g: (typeof els)[number]) => els.filter((e) => e.parent === g).map((e) => e.attrs['fill']);
    assert.deepEqual(fills(groups[0]!), ['#ff0000', '#00ff00', '#0000ff', '#ffffff']);
    // gray, and a value above 1 clamped to white; the two differ so no run is merged
    assert.deepEqual(fills(groups[1]!), ['#808080', '#ffffff']);
  });

  it('rejects an image whose data does not fill it or that has 2 channels', () => {
    assert.throws(() => imageGrid({ rows: [{ images: [{ ...quad, data: new Float64Array(11) }] }] }), /imageGrid: row 0 image 0 has 11 values for 3x2x2/);
    assert.throws(() => imageGrid({ rows: [{ images: [{ ...quad, channels: 2, data: new Float64Array(8) }] }] }), /imageGrid: row 0 image 0 has 2 channels; 1 or 3 are drawn/);
  });
});
