import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { shape, tensorOf } from '../../src/testing/index.js';
import {
  assertSameData,
  assertShape,
  assertZeroGradients,
  autodiffGradients,
  evalFn,
  gradientProperty,
  projectionWeights,
  property,
  type T,
} from '../support/op-cases.js';

const someTensor = shape({ minRank: 0, maxRank: 3 }).chain((s) => tensorOf(s.axes, s.sizes));

describe('ops/identity', () => {
  describe('identity', () => {
    it('gradient matches finite differences', () => {
      gradientProperty(
        someTensor.map((x) => ({ inputs: [x] })),
        () => (x: T) => sg.identity(x),
      );
    });
    it('value and shape are those of x; the cotangent passes through unchanged', () => {
      property(someTensor, (x) => {
        const got = evalFn((t) => sg.identity(t), [x]);
        assertShape(got, x.axes, x.sizes);
        assertSameData(got.data, x.data);
        const [g] = autodiffGradients((t) => sg.identity(t), [x]);
        assertSameData(g!.data, projectionWeights(x.sizes));
      });
    });
  });

  describe('stopGradient', () => {
    it('value and shape are those of x', () => {
      property(someTensor, (x) => {
        const got = evalFn((t) => sg.stopGradient(t), [x]);
        assertShape(got, x.axes, x.sizes);
        assertSameData(got.data, x.data);
      });
    });
    it('its gradient is exactly zero', () => {
      property(someTensor, (x) => assertZeroGradients((t) => sg.stopGradient(t), [x]));
    });
    it('only the other path contributes: d/dx [x * stopGradient(x)] = stopGradient(x), not 2x', () => {
      property(someTensor, (x) => {
        const r = projectionWeights(x.sizes);
        const [g] = autodiffGradients((t) => sg.mul(t, sg.stopGradient(t)), [x]);
        assertSameData(g!.data, x.data.map((v, i) => r[i]! * v));
      });
    });
    it('where the stopped value cancels out (y + sg(y) - sg(y)), autodiff matches finite differences', () => {
      const arb = shape({ minRank: 0, maxRank: 3 }).chain((s) => fc.tuple(tensorOf(s.axes, s.sizes), tensorOf(s.axes, s.sizes)).map((inputs) => ({ inputs })));
      gradientProperty(arb, () => (x: T, c: T) => {
        const y = sg.mul(x, c);
        return sg.sub(sg.add(y, sg.stopGradient(y)), sg.stopGradient(y));
      });
    });
  });
});
