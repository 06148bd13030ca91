import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';

describe('runtime/interpret', () => {
  const p = sg.trace((x, w) => sg.einsum('B N C, C D -> B N D', x, w), sg.spec(['B', 'N', 'C'], [1, 2, 2], 'x'), sg.spec(['C', 'D'], [2, 1], 'w'));

  it('evaluates in float64', () => {
    const out = sg.run(p, [1, 2, 3, 4], [0.1, 0.2]);
    assert.deepEqual(Array.from(out.data), [1 * 0.1 + 2 * 0.2, 3 * 0.1 + 4 * 0.2]);
  });

  it('rejects an input of the wrong length, naming it and its shape', () => {
    assert.throws(() => sg.run(p, [1, 2, 3], [0.1, 0.2]), /input x \(arg\[0\]\): 3 values given, but shape \[B=1, N=2, C=2\] needs 4/);
  });

  it('rejects NaN in an input, naming it and the index', () => {
    assert.throws(() => sg.run(p, [1, 2, 3, 4], [0.1, NaN]), /input w \(arg\[1\]\): value NaN at \[C=1, D=0\] is not finite/);
  });

  it('rejects an NDArray of another shape', () => {
    assert.throws(() => sg.interpret(p.graph, [{ axes: ['B', 'N', 'C'], sizes: [2, 1, 2], data: new Float64Array(4) }, [1, 2]]), /input x: expected shape \[B=1, N=2, C=2\], got \[B=2, N=1, C=2\]/);
  });

  it('rejects the wrong number of inputs', () => {
    assert.throws(() => sg.interpret(p.graph, [[1, 2, 3, 4]]), /takes 2 inputs \(x, w\), got 1/);
  });

  it('fromArray rejects bad data with the array name', () => {
    assert.throws(() => sg.fromArray([1, 2, 3], ['B', 'C'], { B: 2, C: 2 }, { name: 'weights' }), /input weights: 3 values given, but shape \[B=2, C=2\] needs 4/);
    assert.throws(() => sg.fromArray([1, Infinity], ['C'], [2], { name: 'bias' }), /input bias: value Infinity at \[C=1\] is not finite/);
  });

  it('checkFinite names the first node that produced a non-finite value', () => {
    const x = sg.fromArray([1, 0], ['C'], [2]);
    const y = sg.exp(sg.log(x));
    assert.throws(() => sg.evaluate(y, { checkFinite: true }), /\(log of constant\) produced -Infinity at element 1/);
  });

  it('evaluate refuses tensors that depend on a formal input', () => {
    assert.throws(() => sg.evaluate(p.graph.outputs[0]!), /depend on the formal input x/);
  });
});
