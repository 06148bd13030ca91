import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import { tensorOf, sizesFor } from '../../src/testing/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const constant = <const S extends string[]>(v: NDArray, axes: S) => sg.fromArray(v.data, axes, v.sizes);

describe('autodiff/grad', () => {
  it('differentiates with respect to a tree of parameters (records and arrays)', () => {
    const x = sg.fromArray([1, 2, 3, 4, 5, 6], ['B', 'C'], { B: 2, C: 3 });
    const params = {
      layers: [{ w: sg.fromArray([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], ['C', 'D'], { C: 3, D: 2 }) }],
      b: sg.fromArray([0.5, -0.5], ['D'], { D: 2 }),
    };
    type P = typeof params;
    const loss = (p: P) => {
      const h = sg.einsum('B C, C D -> B D', x, p.layers[0]!.w);
      const y = sg.add(h, sg.broadcast(p.b, ['B', 'D'], { B: 2, D: 2 }));
      return sg.sum(sg.mul(y, y));
    };
    const g = sg.grad(loss)(params);
    const values = sg.evaluate(g);
    // d/db sum(y^2) = 2 * sum_B y ; d/dw = 2 x^T y
    const y = sg.evaluate(sg.add(sg.einsum('B C, C D -> B D', x, params.layers[0]!.w), sg.broadcast(params.b, ['B', 'D'], { B: 2, D: 2 })));
    const yd = y.data;
    assert.deepEqual(Array.from(values.b.data), [2 * (yd[0]! + yd[2]!), 2 * (yd[1]! + yd[3]!)]);
    const xs = [1, 2, 3, 4, 5, 6];
    const expectedW = [0, 1, 2].flatMap((c) => [0, 1].map((d) => 2 * (xs[c]! * yd[d]! + xs[3 + c]! * yd[2 + d]!)));
    Array.from(values.layers[0]!.w.data).forEach((v, i) => assert.ok(Math.abs(v - expectedW[i]!) < 1e-12));
  });

  it('valueAndGrad returns the value and the gradient together', () => {
    const w = sg.fromArray([3], [], []);
    const [value, g] = sg.valueAndGrad((w: Tensor<[]>) => sg.mul(w, w))(w);
    assert.equal(sg.scalarValue(value), 9);
    assert.equal(sg.scalarValue(g), 6);
  });

  it('rejects a function that does not return a scalar, naming its shape', () => {
    const w = sg.fromArray([1, 2], ['C'], { C: 2 });
    assert.throws(() => sg.grad((w: Tensor<['C']>) => sg.mul(w, w) as unknown as Tensor<[]>)(w), /must return a scalar.*C=2/);
  });

  it('differentiates with respect to the argument only, even if the same tensor is captured', () => {
    const a = sg.fromArray([2], [], []);
    // f(w) = w * a where a is the same node as the argument: the derivative in w alone is a = 2.
    const g = sg.grad((w: Tensor<[]>) => sg.mul(w, a))(a);
    assert.equal(sg.scalarValue(g), 2);
  });

  it('stopGradient blocks the gradient but not the value', () => {
    const x = sg.fromArray([3], [], []);
    const [v, g] = sg.valueAndGrad((x: Tensor<[]>) => sg.mul(x, sg.stopGradient(x)))(x);
    assert.equal(sg.scalarValue(v), 9);
    assert.equal(sg.scalarValue(g), 3);
  });

  it('gives zero gradients for parameters that do not influence the loss', () => {
    const p = { used: sg.fromArray([1, 2], ['C'], [2]), unused: sg.fromArray([1, 2, 3], ['D'], [3]) };
    const g = sg.evaluate(sg.grad((q: typeof p) => sg.sum(q.used))(p));
    assert.deepEqual(Array.from(g.unused.data), [0, 0, 0]);
    assert.deepEqual(Array.from(g.used.data), [1, 1]);
  });

  it('grad of grad: second derivatives of x^3 and of sin', () => {
    const x = sg.fromArray([0.7], [], []);
    const cube = (x: Tensor<[]>) => sg.mul(x, sg.mul(x, x));
    const d2 = sg.grad((x: Tensor<[]>) => sg.grad(cube)(x))(x);
    assert.ok(Math.abs(sg.scalarValue(d2) - 6 * 0.7) < 1e-12);
    const sin = (x: Tensor<[]>) => sg.sin(x);
    const d3 = sg.grad((x: Tensor<[]>) => sg.grad((x: Tensor<[]>) => sg.grad(sin)(x))(x))(x);
    assert.ok(Math.abs(sg.scalarValue(d3) + Math.cos(0.7)) < 1e-12);
  });

  it('Hessian-vector products agree with finite differences of the gradient (property)', () => {
    // f(x, w) = sum(softmax(x W)_ij * log-sum-exp ... ) : a smooth non-quadratic function.
    const f = (x: Tensor<['B', 'C']>, w: Tensor<['C', 'D']>) => sg.sum(sg.mul(sg.softmax(sg.einsum('B C, C D -> B D', x, w), 'D'), sg.gelu(sg.einsum('B C, C D -> B D', x, w))));
    fc.assert(
      fc.property(
        sizesFor(['B', 'C', 'D'] as const, { max: 3 }).chain((s) =>
          fc.tuple(fc.constant(s), tensorOf(['B', 'C'], [s.B, s.C]), tensorOf(['C', 'D'], [s.C, s.D]), tensorOf(['C', 'D'], [s.C, s.D])),
        ),
        ([s, xv, wv, vv]) => {
          const x = constant(xv, ['B', 'C']);
          const v = constant(vv, ['C', 'D']);
          const gradAt = (w: Tensor<['C', 'D']>) => sg.grad((w: Tensor<['C', 'D']>) => f(x, w))(w);
          const hvp = sg.grad((w: Tensor<['C', 'D']>) => sg.sum(sg.mul(gradAt(w), v)))(constant(wv, ['C', 'D']));
          const h = 1e-5;
          const shifted = (sign: number) => constant({ ...wv, data: wv.data.map((w, i) => w + sign * h * vv.data[i]!) }, ['C', 'D']);
          const fd = sg.evaluate([gradAt(shifted(1)), gradAt(shifted(-1))]);
          const numeric = fd[0]!.data.map((g, i) => (g - fd[1]!.data[i]!) / (2 * h));
          const exact = sg.valueOf(hvp);
          exact.forEach((e, i) => {
            const err = Math.abs(e - numeric[i]!);
            if (err > 1e-6 + 1e-5 * Math.abs(e)) throw new Error(`HVP element ${i}: autodiff ${e}, finite differences ${numeric[i]} (sizes ${JSON.stringify(s)})`);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('vjp pulls back any cotangent; jvp pushes forward any tangent; they are adjoint', () => {
    fc.assert(
      fc.property(
        sizesFor(['B', 'C'] as const, { max: 4 }).chain((s) =>
          fc.tuple(tensorOf(['B', 'C'], [s.B, s.C]), tensorOf(['B', 'C'], [s.B, s.C]), tensorOf(['B', 'C'], [s.B, s.C])),
        ),
        ([xv, tv, uv]) => {
          const f = (x: Tensor<['B', 'C']>) => sg.tanh(sg.mul(sg.softmax(x, 'C'), x));
          const x = constant(xv, ['B', 'C']);
          const [, pullback] = sg.vjp(f, x);
          const [, tangentOut] = sg.jvp(f, x, constant(tv, ['B', 'C']));
          // <u, J t> == <J^T u, t>
          const lhs = sg.scalarValue(sg.sum(sg.mul(constant(uv, ['B', 'C']), tangentOut)));
          const rhs = sg.scalarValue(sg.sum(sg.mul(pullback(constant(uv, ['B', 'C'])), constant(tv, ['B', 'C']))));
          assert.ok(Math.abs(lhs - rhs) <= 1e-12 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
          // and the JVP agrees with a directional finite difference
          const h = 1e-6;
          const at = (sign: number) => sg.valueOf(f(constant({ ...xv, data: xv.data.map((v, i) => v + sign * h * tv.data[i]!) }, ['B', 'C'])));
          const plus = at(1);
          const minus = at(-1);
          sg.valueOf(tangentOut).forEach((jt, i) => {
            const fd = (plus[i]! - minus[i]!) / (2 * h);
            assert.ok(Math.abs(jt - fd) < 1e-7, `jvp ${jt} vs finite differences ${fd}`);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('autodiff is a graph transform: the gradient graph prints, hashes and survives CSE/DCE', () => {
    const p = sg.trace(
      (x, w) => sg.valueAndGrad((w: Tensor<['C', 'D']>) => sg.sum(sg.tanh(sg.einsum('B C, C D -> B D', x, w))))(w),
      sg.spec(['B', 'C'], [2, 3], 'x'),
      sg.spec(['C', 'D'], [3, 2], 'w'),
    );
    const optimised = sg.cse(sg.dce(p.graph));
    assert.ok(optimised.nodes.length < p.graph.nodes.length, 'DCE/CSE remove the dead cotangents of constants');
    const x = [0.1, 0.2, 0.3, -0.4, 0.5, 0.6];
    const w = [1, -1, 0.5, 0.25, -0.5, 2];
    const before = sg.interpret(p.graph, [x, w]);
    const after = sg.interpret(optimised, [x, w]);
    before.forEach((v, i) => assert.deepEqual(Array.from(after[i]!.data), Array.from(v.data)));
    assert.match(sg.print(optimised), /einsum 'B C, C D -> B D' x/);
  });
});
