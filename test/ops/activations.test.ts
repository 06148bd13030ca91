import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { shape, tensorOf, type ValueOptions } from '../../src/testing/index.js';
import { erf } from '../../src/ops/special/erf.js';
import { assertClose, assertShape, evalFn, gradientProperty, nd, property, type T } from '../support/op-cases.js';

const someTensor = (values: ValueOptions) => shape({ minRank: 0, maxRank: 3 }).chain((s) => tensorOf(s.axes, s.sizes, values));

interface Activation {
  readonly name: string;
  readonly f: (x: T) => Tensor;
  /** Independent scalar formula. */
  readonly ref: (x: number) => number;
  readonly smooth: ValueOptions;
  readonly rtol: number;
  readonly atol?: number;
}

const activations: readonly Activation[] = [
  { name: 'relu', f: sg.relu, ref: (x) => (x > 0 ? x : 0), smooth: { min: -4, max: 4, awayFrom: [0] }, rtol: 0 },
  { name: 'sigmoid', f: sg.sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)), smooth: { min: -6, max: 6 }, rtol: 1e-15 },
  { name: 'square', f: sg.square, ref: (x) => x * x, smooth: { min: -4, max: 4 }, rtol: 0 },
  // A primitive, max(x, 0) + log1p(exp(-|x|)) in float64.
  { name: 'softplus', f: sg.softplus, ref: (x) => Math.log1p(Math.exp(x)), smooth: { min: -6, max: 6 }, rtol: 1e-14, atol: 4e-16 },
  // 1 + erf(x/√2) cancels for negative x (0.095 at x = -1.67), so one rounding of the graph's own
  // order of operations shows as about 1e-15 relative (seed 1788494007 found 1.1e-15).
  { name: 'gelu', f: sg.gelu, ref: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), smooth: { min: -4, max: 4 }, rtol: 1e-14 },
];

describe('ops/activations', () => {
  for (const act of activations) {
    describe(act.name, () => {
      it('gradient matches finite differences', () => {
        gradientProperty(
          someTensor(act.smooth).map((x) => ({ inputs: [x] })),
          () => act.f,
        );
      });
      it('matches the scalar formula element by element', () => {
        property(someTensor({ min: -20, max: 20 }), (x) => {
          const got = evalFn(act.f, [x]);
          assertShape(got, x.axes, x.sizes);
          assertClose(got.data, x.data.map(act.ref), { rtol: act.rtol, atol: act.atol ?? 1e-300 });
        });
      });
    });
  }

  it('relu at exactly 0 has gradient 1/2 (the tie rule of maximum)', () => {
    property(fc.integer({ min: 1, max: 4 }), (n) => {
      const x = nd(['A'], [n], new Float64Array(n));
      const program = sg.trace((t: T) => sg.grad((u: T) => sg.sum(sg.relu(u)))(t), sg.spec(['A'], [n]));
      assertClose(sg.interpret(program.graph, [x])[0]!.data, new Float64Array(n).fill(0.5), { rtol: 0, atol: 0 });
    });
  });

  it('softplus stays finite and accurate for large |x|; its gradient there matches finite differences', () => {
    const big = nd(['A'], [6], [-745, -300, -40, 40, 300, 745]);
    const got = evalFn(sg.softplus, [big]).data;
    assertClose(got, [Math.exp(-745), Math.exp(-300), Math.exp(-40), 40, 300, 745], { rtol: 1e-15, atol: 1e-17 });
    gradientProperty(
      shape({ minRank: 0, maxRank: 2 }).chain((s) => tensorOf(s.axes, s.sizes, { min: 20, max: 60 }).map((x) => ({ inputs: [x] }))),
      () => (x: T) => sg.add(sg.softplus(x), sg.softplus(sg.neg(x))),
    );
  });

  it('sigmoid(x) + sigmoid(-x) = 1 and gelu(x) - gelu(-x) = x', () => {
    property(someTensor({ min: -20, max: 20 }), (x) => {
      const s = evalFn((t) => sg.add(sg.sigmoid(t), sg.sigmoid(sg.neg(t))), [x]);
      assertClose(s.data, x.data.map(() => 1), { rtol: 0, atol: 4.5e-16 });
      const g = evalFn((t) => sg.sub(sg.gelu(t), sg.gelu(sg.neg(t))), [x]);
      assertClose(g.data, x.data, { rtol: 1e-15, atol: 1e-15 });
    });
  });
});
