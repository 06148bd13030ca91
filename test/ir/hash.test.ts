import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const program = (f: (x: Tensor<['B', 'C']>) => Tensor) => sg.trace(f, sg.spec(['B', 'C'], [2, 3]));

describe('ir/hash', () => {
  it('equal structure gives equal hashes, whatever the node objects', () => {
    const a = program((x) => sg.exp(sg.mul(x, 2)));
    const b = program((x) => sg.exp(sg.mul(x, 2)));
    assert.notEqual(a.graph.outputs[0], b.graph.outputs[0]);
    assert.equal(sg.hashGraph(a.graph), sg.hashGraph(b.graph));
  });

  it('different ops, attributes, constants or sizes give different hashes', () => {
    const base = sg.hashGraph(program((x) => sg.exp(sg.mul(x, 2))).graph);
    assert.notEqual(base, sg.hashGraph(program((x) => sg.log(sg.mul(x, 2))).graph));
    assert.notEqual(base, sg.hashGraph(program((x) => sg.exp(sg.mul(x, 3))).graph));
    assert.notEqual(base, sg.hashGraph(sg.trace((x) => sg.exp(sg.mul(x, 2)), sg.spec(['B', 'C'], [2, 4])).graph));
    assert.notEqual(sg.hashGraph(program((x) => sg.sum(x, 'B')).graph), sg.hashGraph(program((x) => sg.sum(x, 'C')).graph));
    const c1 = sg.fromArray([1, 2, 3], ['C'], [3]);
    const c2 = sg.fromArray([1, 2, 4], ['C'], [3]);
    const withConstant = (c: Tensor<['C']>) => program((x) => sg.mul(x, sg.broadcast(c, ['B', 'C'], [2, 3])));
    assert.notEqual(sg.hashGraph(withConstant(c1).graph), sg.hashGraph(withConstant(c2).graph));
  });
});
