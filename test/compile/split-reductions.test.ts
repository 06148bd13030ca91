import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { splitReductions } from '../../src/compile/split-reductions.js';
import { interpret } from '../../src/ops/interpret.js';
import { close } from '../support/dense-program.js';

const n = 96;
const xs = Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 0.7) * 3);
const ws = Array.from({ length: n * 3 }, (_, i) => Math.cos(i * 0.3));

/** The longest run of loop iterations any one reduction node reads per output cell. */
function longestReduction(nodes: readonly sg.Tensor[]): number {
  return Math.max(0, ...nodes.map((t) => {
    if (t.op === 'sum' || t.op === 'max') return (t.attrs['axes'] as string[]).reduce((p, a) => p * t.inputs[0]!.sizes[t.inputs[0]!.axes.indexOf(a)]!, 1);
    if (t.op === 'einsum') return [...new Set(t.inputs.flatMap((x) => x.axes))].filter((l) => !t.axes.includes(l)).reduce((p, l) => { const o = t.inputs.find((x) => x.axes.includes(l))!; return p * o.sizes[o.axes.indexOf(l)]!; }, 1);
    return 0;
  }));
}

describe('compile/split-reductions', () => {
  const program = sg.trace(
    (x: Tensor<['B', 'K']>, w: Tensor<['K', 'D']>) => ({
      s: sg.sum(x, 'K'),
      m: sg.max(x, 'K'),
      y: sg.einsum('B K, K D -> B D', x, w),
    }),
    sg.spec(['B', 'K'], [2, n], 'x'),
    sg.spec(['K', 'D'], [n, 3], 'w'),
  );

  it('cuts sums, maxes and contractions longer than the limit into partial reductions with the same values', () => {
    assert.equal(longestReduction(program.graph.nodes), n);
    const split = splitReductions(program.graph, 16);
    assert.ok(longestReduction(split.nodes) <= 16, `longest reduction ${longestReduction(split.nodes)}`);
    const before = interpret(program.graph, [xs, ws]);
    const after = interpret(split, [xs, ws]);
    before.forEach((b, i) => close(after[i]!.data, b.data, 1e-12));
  });

  it("puts a partial contraction's chunks first, so its output keeps the contraction's last axis last", () => {
    const split = splitReductions(program.graph, 16);
    const partials = split.nodes.filter((t) => t.op === 'einsum');
    assert.equal(partials.length, 1);
    assert.deepEqual(partials[0]!.axes.slice(1), ['B', 'D']);
    assert.match(partials[0]!.axes[0]!, /^K#o$/);
  });

  it('leaves reductions within the limit alone', () => {
    const same = splitReductions(program.graph, n);
    assert.equal(same.nodes.length, program.graph.nodes.length);
    assert.ok(same.nodes.every((t, i) => t === program.graph.nodes[i]));
  });
});
