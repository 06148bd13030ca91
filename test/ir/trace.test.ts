import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

describe('ir/trace', () => {
  it('traces a plain function into a graph with named formal inputs', () => {
    const p = sg.trace((x, w) => sg.gelu(sg.einsum('B N C, C D -> B N D', x, w)), sg.spec(['B', 'N', 'C'], { B: 2, N: 3, C: 4 }, 'x'), sg.spec(['C', 'D'], { C: 4, D: 5 }, 'w'));
    assert.deepEqual(p.graph.inputs.map((x) => x.attrs['name']), ['x', 'w']);
    const out = p.graph.outputs[0]!;
    assert.deepEqual(out.axes, ['B', 'N', 'D']);
    assert.deepEqual(out.sizes, [2, 3, 5]);
  });

  it('takes and returns trees', () => {
    const p = sg.trace(
      (params: { w: Tensor<['C']>; b: Tensor<[]> }, xs: Tensor<['C']>[]) => ({ y: sg.add(sg.mul(params.w, xs[0]!), sg.broadcast(params.b, ['C'], [2])), n: sg.sum(xs[1]!) }),
      { w: sg.spec(['C'], [2]), b: sg.spec([], []) },
      [sg.spec(['C'], [2]), sg.spec(['C'], [2])],
    );
    assert.deepEqual(p.inputPaths, ['arg[0].b', 'arg[0].w', 'arg[1][0]', 'arg[1][1]']);
    const out = sg.run(p, { w: [1, 2], b: [10] }, [[3, 4], [5, 6]]);
    assert.deepEqual(Array.from(out.y.data), [13, 18]);
    assert.deepEqual(Array.from(out.n.data), [11]);
  });

  it('records every node made during tracing, so dead ones exist until DCE', () => {
    const p = sg.trace((x) => {
      sg.exp(x); // dead
      return sg.neg(x);
    }, sg.spec(['C'], [3]));
    assert.equal(sg.opCounts(p.graph)['exp'], 1);
    const live = sg.dce(p.graph);
    assert.equal(sg.opCounts(live)['exp'], undefined);
    assert.equal(sg.opCounts(live)['neg'], 1);
    assert.equal(live.inputs.length, 1, 'formal inputs stay even when unused');
  });

  it('nodes are immutable', () => {
    const x = sg.fromArray([1, 2], ['C'], [2]);
    assert.throws(() => {
      (x as unknown as { op: string }).op = 'other';
    }, TypeError);
    assert.throws(() => (x.axes as unknown as string[]).push('D'), TypeError);
  });

  it('spec rejects unbound or bad sizes, naming the axis', () => {
    assert.throws(() => sg.spec(['B', 'C'], { B: 2 }), /axis C/);
    assert.throws(() => sg.spec(['B'], [-1]), /axis B has size -1/);
    assert.throws(() => sg.spec(['B', 'B'], [1, 1]), /repeated axis/);
  });

  it('bindSizes makes specs from one record of sizes', () => {
    const s = sg.bindSizes({ B: 4, C: 8 });
    const p = sg.trace((x) => sg.sum(x, 'C'), s(['B', 'C']));
    assert.deepEqual(p.graph.outputs[0]!.sizes, [4]);
  });
});
