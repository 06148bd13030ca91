import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

describe('ir/passes', () => {
  it('CSE merges structurally equal nodes and keeps results', () => {
    const p = sg.trace((x) => sg.add(sg.exp(sg.mul(x, 2)), sg.exp(sg.mul(x, 2))), sg.spec(['C'], [3]));
    const merged = sg.cse(p.graph);
    assert.equal(sg.opCounts(p.graph)['exp'], 2);
    assert.equal(sg.opCounts(merged)['exp'], 1);
    assert.equal(sg.opCounts(merged)['fill'], 1);
    const x = [0.1, 0.2, 0.3];
    assert.deepEqual(Array.from(sg.interpret(merged, [x])[0]!.data), Array.from(sg.interpret(p.graph, [x])[0]!.data));
  });

  it('CSE never merges distinct formal inputs', () => {
    const p = sg.trace((x, y) => sg.sub(x, y), sg.spec(['C'], [2]), sg.spec(['C'], [2]));
    const merged = sg.cse(p.graph);
    assert.equal(merged.inputs.length, 2);
    assert.deepEqual(Array.from(sg.interpret(merged, [[5, 5], [1, 2]])[0]!.data), [4, 3]);
  });

  it('passes are pure: the input graph is unchanged', () => {
    const p = sg.trace((x) => sg.add(sg.exp(x), sg.exp(x)), sg.spec(['C'], [2]));
    const before = [...p.graph.nodes];
    sg.cse(sg.dce(p.graph));
    assert.deepEqual(p.graph.nodes, before);
    assert.ok(Object.isFrozen(p.graph.nodes));
  });

  it('DCE then CSE preserve the values of random programs (property)', () => {
    const unary = [sg.exp, sg.tanh, sg.sin, (t: Tensor<['B', 'C']>) => sg.mul(t, 2)] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(10), fc.nat(10)), { minLength: 1, maxLength: 12 }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), (steps, data) => {
        const p = sg.trace((x) => {
          const pool: Tensor<['B', 'C']>[] = [x];
          for (const [op, i, j] of steps) {
            const a = pool[i % pool.length]!;
            const b = pool[j % pool.length]!;
            pool.push(op === 3 ? sg.add(a, b) : unary[op]!(a));
            pool.push(unary[op]!(a)); // duplicates for CSE, some dead for DCE
          }
          return pool[pool.length - 2]!;
        }, sg.spec(['B', 'C'], [2, 3]));
        const optimised = sg.cse(sg.dce(p.graph));
        assert.ok(optimised.nodes.length <= p.graph.nodes.length);
        assert.deepEqual(Array.from(sg.interpret(optimised, [data])[0]!.data), Array.from(sg.interpret(p.graph, [data])[0]!.data));
      }),
      { numRuns: 100 },
    );
  });
});
