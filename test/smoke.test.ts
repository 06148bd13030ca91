import { strict as assert } from 'node:assert';
import * as sg from '../src/index.js';

describe('smoke', () => {
  it('traces, prints, runs and differentiates', () => {
    const p = sg.trace((x, w) => sg.sum(sg.gelu(sg.einsum('B C, C D -> B D', x, w))), sg.spec(['B', 'C'], [2, 3]), sg.spec(['C', 'D'], [3, 4]));
    console.log(sg.print(p.graph));
    const g = sg.trace((x, w) => sg.grad((w: sg.Tensor<['C', 'D']>) => sg.sum(sg.gelu(sg.einsum('B C, C D -> B D', x, w))))(w), sg.spec(['B', 'C'], [2, 3]), sg.spec(['C', 'D'], [3, 4]));
    console.log(sg.print(g.graph));
    const out = sg.run(g, [1, 2, 3, 4, 5, 6], Array.from({ length: 12 }, (_, i) => i / 10));
    console.log(out);
    assert.equal(out.data.length, 12);
  });
});
