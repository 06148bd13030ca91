import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';

describe('ir/print', () => {
  it('prints a graph a person can read, like a jaxpr', () => {
    const p = sg.trace((x, w) => sg.sum(sg.tanh(sg.einsum('B C, C D -> B D', x, w)), 'D'), sg.spec(['B', 'C'], [2, 3], 'x'), sg.spec(['C', 'D'], [3, 4], 'w'));
    const text = sg.print(p.graph);
    assert.equal(
      text,
      [
        '{ lambda x:[B=2, C=3] w:[C=3, D=4] .',
        "  let a:[B=2, D=4] = einsum 'B C, C D -> B D' x w",
        '      b:[B=2, D=4] = tanh a',
        '      c:[B=2] = sum axes=[D] b',
        '  in (c) }',
      ].join('\n'),
    );
  });

  it('shows constants by name or by value', () => {
    const c = sg.fromArray([1, 2], ['C'], [2], { name: 'bias' });
    const p = sg.trace((x) => sg.add(x, c), sg.spec(['C'], [2], 'x'));
    assert.match(sg.print(p.graph), /constant name=bias/);
  });
});
