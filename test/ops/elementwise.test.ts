import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { shape, tensorOf, value, type ValueOptions } from '../../src/testing/index.js';
import { erf as erfScalar } from '../../src/ops/special/erf.js';
import {
  assertClose,
  assertSameData,
  assertShape,
  assertShapeError,
  assertZeroGradients,
  autodiffGradients,
  constant,
  evalFn,
  gradientProperty,
  nd,
  projectionWeights,
  property,
  type T,
} from '../support/op-cases.js';

const shapes = shape({ minRank: 0, maxRank: 3 });
const anywhere: ValueOptions = { min: -2, max: 2 };
const positive: ValueOptions = { min: 0.5, max: 3 };

const oneTensor = (opts: ValueOptions) => shapes.chain((s) => tensorOf(s.axes, s.sizes, opts)).map((x) => ({ inputs: [x] }));
const twoTensors = (a: ValueOptions, b: ValueOptions) =>
  shapes.chain((s) => fc.tuple(tensorOf(s.axes, s.sizes, a), tensorOf(s.axes, s.sizes, b))).map(([x, y]) => ({ inputs: [x, y] }));

interface Unary {
  readonly name: string;
  readonly f: (x: T) => Tensor;
  readonly ref: (x: number) => number;
  /** Where the op is smooth (gradient property). */
  readonly smooth: ValueOptions;
  /** Where it is defined (reference property). */
  readonly defined: ValueOptions;
}

const unaries: readonly Unary[] = [
  { name: 'neg', f: sg.neg, ref: (x) => -x, smooth: anywhere, defined: { min: -1e6, max: 1e6 } },
  { name: 'exp', f: sg.exp, ref: Math.exp, smooth: anywhere, defined: { min: -700, max: 700 } },
  { name: 'log', f: sg.log, ref: Math.log, smooth: positive, defined: { min: 1e-300, max: 1e300 } },
  { name: 'sqrt', f: sg.sqrt, ref: Math.sqrt, smooth: positive, defined: { min: 0, max: 1e300 } },
  { name: 'reciprocal', f: sg.reciprocal, ref: (x) => 1 / x, smooth: positive, defined: { min: -1e6, max: 1e6, awayFrom: [0], margin: 1e-6 } },
  { name: 'abs', f: sg.abs, ref: Math.abs, smooth: { ...anywhere, awayFrom: [0] }, defined: { min: -1e6, max: 1e6 } },
  { name: 'sin', f: sg.sin, ref: Math.sin, smooth: anywhere, defined: { min: -100, max: 100 } },
  { name: 'cos', f: sg.cos, ref: Math.cos, smooth: anywhere, defined: { min: -100, max: 100 } },
  { name: 'tanh', f: sg.tanh, ref: Math.tanh, smooth: anywhere, defined: { min: -100, max: 100 } },
  { name: 'erf', f: sg.erf, ref: erfScalar, smooth: anywhere, defined: { min: -10, max: 10 } },
];

interface Binary {
  readonly name: string;
  readonly f: (x: T, y: T | number) => Tensor;
  readonly g: (x: number, y: T) => Tensor;
  readonly ref: (x: number, y: number) => number;
  readonly a: ValueOptions;
  readonly b: ValueOptions;
}

const binaries: readonly Binary[] = [
  { name: 'add', f: sg.add, g: sg.add, ref: (x, y) => x + y, a: anywhere, b: anywhere },
  { name: 'sub', f: sg.sub, g: sg.sub, ref: (x, y) => x - y, a: anywhere, b: anywhere },
  { name: 'mul', f: sg.mul, g: sg.mul, ref: (x, y) => x * y, a: anywhere, b: anywhere },
  { name: 'div', f: sg.div, g: sg.div, ref: (x, y) => x / y, a: anywhere, b: { min: -3, max: 3, awayFrom: [0], margin: 0.5 } },
  { name: 'pow', f: sg.pow, g: sg.pow, ref: Math.pow, a: positive, b: anywhere },
];

describe('ops/elementwise', () => {
  describe('unary gradients', () => {
    for (const op of unaries) {
      it(`${op.name}: autodiff matches finite differences`, () => {
        gradientProperty(oneTensor(op.smooth), () => op.f);
      });
    }
  });

  describe('binary gradients', () => {
    for (const op of binaries) {
      it(`${op.name}: autodiff matches finite differences for both operands`, () => {
        gradientProperty(twoTensors(op.a, op.b), () => op.f);
      });
      it(`${op.name}: with a number on either side`, () => {
        const arb = fc
          .tuple(shapes, value(op.a), value(op.b))
          .chain(([s, ca, cb]) => fc.tuple(tensorOf(s.axes, s.sizes, op.a), tensorOf(s.axes, s.sizes, op.b)).map(([x, y]) => ({ inputs: [x, y], ca, cb })));
        gradientProperty(arb, (c) => (x: T, y: T) => sg.add(op.f(x, c.cb) as T, op.g(c.ca, y) as T));
      });
    }

    for (const [name, f] of [
      ['maximum', sg.maximum],
      ['minimum', sg.minimum],
    ] as const) {
      it(`${name}: autodiff matches finite differences away from ties`, () => {
        // b = a + d with |d| >= 0.05: the operands never (nearly) tie.
        const arb = shapes
          .chain((s) => fc.tuple(tensorOf(s.axes, s.sizes, anywhere), tensorOf(s.axes, s.sizes, { ...anywhere, awayFrom: [0], margin: 0.05 })))
          .map(([a, d]) => ({ inputs: [a, nd(a.axes, a.sizes, a.data.map((v, i) => v + d.data[i]!))] }));
        gradientProperty(arb, () => (x: T, y: T) => f(x, y));
      });
      it(`${name}: at exact ties the gradient is shared half and half (as central differences see it)`, () => {
        const arb = shapes.chain((s) => tensorOf(s.axes, s.sizes, anywhere)).map((a) => ({ inputs: [a, a] }));
        gradientProperty(arb, () => (x: T, y: T) => f(x, y));
        property(
          shapes.chain((s) => tensorOf(s.axes, s.sizes, anywhere)),
          (a) => {
            const r = projectionWeights(a.sizes);
            const [ga, gb] = autodiffGradients((x, y) => f(x, y), [a, a]);
            assertSameData(ga!.data, r.map((v) => v * 0.5), 'gradient of a');
            assertSameData(gb!.data, r.map((v) => v * 0.5), 'gradient of b');
          },
        );
      });
      it(`${name}: with a number operand`, () => {
        const arb = fc
          .tuple(shapes, value(anywhere))
          .chain(([s, c]) => tensorOf(s.axes, s.sizes, { ...anywhere, awayFrom: [c], margin: 0.05 }).map((x) => ({ inputs: [x], c })));
        gradientProperty(arb, (c) => (x: T) => sg.add(f(x, c.c), f(c.c, x)));
      });
    }

    it('select: gradient flows to the chosen branch only (cond a closed-over constant)', () => {
      const arb = shapes.chain((s) =>
        fc
          .tuple(
            tensorOf(s.axes, s.sizes, anywhere),
            tensorOf(s.axes, s.sizes, anywhere),
            fc.array(fc.constantFrom(0, 1, -2, 0.5), { minLength: s.sizes.reduce((a, b) => a * b, 1), maxLength: s.sizes.reduce((a, b) => a * b, 1) }),
          )
          .map(([a, b, c]) => ({ inputs: [a, b], cond: nd(s.axes, s.sizes, c) })),
      );
      gradientProperty(arb, (c) => (a: T, b: T) => sg.select(constant(c.cond), a, b));
    });

    it('select: exact cotangents, and none for the condition', () => {
      const arb = shapes.chain((s) =>
        fc.tuple(
          tensorOf(s.axes, s.sizes, { min: -1, max: 1 }).map((x) => nd(x.axes, x.sizes, x.data.map((v) => (v > 0.3 ? 0 : v)))),
          tensorOf(s.axes, s.sizes, anywhere),
          tensorOf(s.axes, s.sizes, anywhere),
        ),
      );
      property(arb, ([c, a, b]) => {
        const r = projectionWeights(a.sizes);
        const [gc, ga, gb] = autodiffGradients((cc, aa, bb) => sg.select(cc, aa, bb), [c, a, b]);
        assertSameData(gc!.data, new Float64Array(c.data.length), 'gradient of cond');
        assertSameData(ga!.data, r.map((v, i) => (c.data[i] !== 0 ? v : 0)), 'gradient of a');
        assertSameData(gb!.data, r.map((v, i) => (c.data[i] !== 0 ? 0 : v)), 'gradient of b');
      });
    });
  });

  describe('ops without a gradient', () => {
    it('sign and floor: autodiff gradient is exactly zero (and finite differences agree away from kinks)', () => {
      const arb = oneTensor({ min: -3, max: 3, awayFrom: [-3, -2, -1, 0, 1, 2, 3], margin: 0.01 });
      property(arb, (c) => {
        assertZeroGradients((x) => sg.sign(x), c.inputs);
        assertZeroGradients((x) => sg.floor(x), c.inputs);
      });
      gradientProperty(arb, () => (x: T) => sg.add(sg.sign(x), sg.floor(x)));
    });

    it('less, greater, equal: autodiff gradient is exactly zero, ties included', () => {
      const arb = shapes.chain((s) =>
        fc
          .tuple(
            tensorOf(s.axes, s.sizes, anywhere),
            tensorOf(s.axes, s.sizes, anywhere),
            fc.array(fc.boolean(), { minLength: s.sizes.reduce((a, b) => a * b, 1), maxLength: s.sizes.reduce((a, b) => a * b, 1) }),
          )
          .map(([a, b, tie]) => [a, nd(b.axes, b.sizes, b.data.map((v, i) => (tie[i] ? a.data[i]! : v)))] as const),
      );
      property(arb, ([a, b]) => {
        assertZeroGradients((x, y) => sg.less(x, y), [a, b]);
        assertZeroGradients((x, y) => sg.greater(x, y), [a, b]);
        assertZeroGradients((x, y) => sg.equal(x, y), [a, b]);
        // Through a product the other factor still gets its gradient: mul(x, less(x, y)) has gradient less(x, y) * R.
        const r = projectionWeights(a.sizes);
        const [ga, gb] = autodiffGradients((x, y) => sg.mul(x, sg.less(x, y)), [a, b]);
        assertSameData(ga!.data, r.map((v, i) => v * (a.data[i]! < b.data[i]! ? 1 : 0)), 'gradient of x');
        assertSameData(gb!.data, new Float64Array(b.data.length), 'gradient of y');
      });
    });

    it('less and greater: finite differences agree (zero) away from ties', () => {
      const arb = shapes
        .chain((s) => fc.tuple(tensorOf(s.axes, s.sizes, anywhere), tensorOf(s.axes, s.sizes, { ...anywhere, awayFrom: [0], margin: 0.05 })))
        .map(([a, d]) => ({ inputs: [a, nd(a.axes, a.sizes, a.data.map((v, i) => v + d.data[i]!))] }));
      gradientProperty(arb, () => (x: T, y: T) => sg.add(sg.less(x, y), sg.greater(x, y)));
    });
  });

  describe('reference evaluation', () => {
    for (const op of unaries) {
      it(`${op.name} matches Math element by element`, () => {
        property(oneTensor(op.defined), ({ inputs: [x] }) => {
          assertSameData(evalFn((t) => op.f(t), [x!]).data, x!.data.map(op.ref), op.name);
        });
      });
    }

    it('erf: odd, known values, and the derivative 2/sqrt(pi) exp(-x^2)', () => {
      const v = evalFn((t) => sg.erf(t), [nd(['A'], [4], [0, 1, -1, 0.5])]).data;
      assertClose(v, [0, 0.8427007929497149, -0.8427007929497149, 0.5204998778130465], { rtol: 2e-16, atol: 0 });
      property(oneTensor(anywhere), ({ inputs: [x] }) => {
        const r = projectionWeights(x!.sizes);
        const [g] = autodiffGradients((t) => sg.erf(t), [x!]);
        assertClose(g!.data, x!.data.map((u, i) => r[i]! * (2 / Math.sqrt(Math.PI)) * Math.exp(-u * u)), { rtol: 1e-14 });
      });
    });

    it('sign and floor', () => {
      property(oneTensor({ min: -5, max: 5 }), ({ inputs: [x] }) => {
        assertSameData(evalFn((t) => sg.sign(t), [x!]).data, x!.data.map(Math.sign), 'sign');
        assertSameData(evalFn((t) => sg.floor(t), [x!]).data, x!.data.map(Math.floor), 'floor');
      });
    });

    for (const op of [
      ...binaries,
      { name: 'maximum', f: sg.maximum, g: sg.maximum, ref: Math.max, a: anywhere, b: anywhere },
      { name: 'minimum', f: sg.minimum, g: sg.minimum, ref: Math.min, a: anywhere, b: anywhere },
      { name: 'less', f: sg.less, g: sg.less, ref: (x: number, y: number) => (x < y ? 1 : 0), a: anywhere, b: anywhere },
      { name: 'greater', f: sg.greater, g: sg.greater, ref: (x: number, y: number) => (x > y ? 1 : 0), a: anywhere, b: anywhere },
      { name: 'equal', f: sg.equal, g: sg.equal, ref: (x: number, y: number) => (x === y ? 1 : 0), a: anywhere, b: anywhere },
    ] satisfies Binary[]) {
      it(`${op.name} matches JS element by element, also with number operands`, () => {
        const arb = fc.tuple(twoTensors(op.a, op.b), value(op.a), value(op.b), fc.boolean());
        property(arb, ([{ inputs: [x, y] }, ca, cb, tie]) => {
          // Sometimes y is x itself (ties of the comparisons; 0/0 is NaN on both sides).
          const yy = tie ? x! : y!;
          assertSameData(evalFn((a, b) => op.f(a, b), [x!, yy]).data, x!.data.map((v, i) => op.ref(v, yy.data[i]!)), `${op.name}(x, y)`);
          assertSameData(evalFn((a) => op.f(a, cb), [x!]).data, x!.data.map((v) => op.ref(v, cb)), `${op.name}(x, number)`);
          const out = evalFn((b) => op.g(ca, b), [yy]);
          assertShape(out, yy.axes, yy.sizes);
          assertSameData(out.data, yy.data.map((v) => op.ref(ca, v)), `${op.name}(number, y)`);
        });
      });
    }

    it('select picks a where cond is non-zero, else b', () => {
      const arb = shapes.chain((s) =>
        fc.tuple(
          tensorOf(s.axes, s.sizes, { min: -1, max: 1 }).map((x) => nd(x.axes, x.sizes, x.data.map((v) => (v > 0 ? 0 : v)))),
          tensorOf(s.axes, s.sizes, anywhere),
          tensorOf(s.axes, s.sizes, anywhere),
          value(anywhere),
        ),
      );
      property(arb, ([c, a, b, k]) => {
        assertSameData(evalFn((cc, aa, bb) => sg.select(cc, aa, bb), [c, a, b]).data, c.data.map((v, i) => (v !== 0 ? a.data[i]! : b.data[i]!)), 'select');
        assertSameData(evalFn((cc, aa) => sg.select(cc, aa, k), [c, a]).data, c.data.map((v, i) => (v !== 0 ? a.data[i]! : k)), 'select(c, a, k)');
      });
    });
  });

  describe('shape errors', () => {
    const binaryFns = [sg.add, sg.sub, sg.mul, sg.div, sg.maximum, sg.minimum, sg.pow, sg.less, sg.greater, sg.equal] as const;

    it("add of ['B', 'C'] and ['C', 'B'] throws a ShapeError naming both axis lists", () => {
      const x = sg.fromArray(new Float64Array(6), ['B', 'C'], { B: 2, C: 3 });
      const y = sg.fromArray(new Float64Array(6), ['C', 'B'], { B: 2, C: 3 });
      assertShapeError(() => sg.add(x as T, y as T), 'add', '[B, C]', '[C, B]');
    });

    it('every binary op rejects operands whose axes differ in order, naming the op', () => {
      property(
        fc.tuple(shape({ minRank: 2, maxRank: 3 }), fc.integer({ min: 0, max: 9 })),
        ([s, k]) => {
          const x = constant(nd(s.axes, s.sizes, new Float64Array(s.sizes.reduce((a, b) => a * b, 1))));
          const y = sg.transpose(x, [...s.axes].reverse());
          const f = binaryFns[k]!;
          assertShapeError(() => f(x, y as T), `[${s.axes.join(', ')}]`, `[${[...s.axes].reverse().join(', ')}]`);
        },
      );
    });

    it('every binary op rejects a size mismatch, naming the axis and both sizes', () => {
      const arb = shape({ minRank: 1, maxRank: 3, max: 4 }).chain((s) =>
        fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.axes.length - 1 }), fc.integer({ min: 5, max: 9 }), fc.integer({ min: 0, max: 9 })),
      );
      property(arb, ([s, d, other, k]) => {
        const sizes2 = s.sizes.map((n, i) => (i === d ? other : n));
        const x = constant(nd(s.axes, s.sizes, new Float64Array(s.sizes.reduce((a, b) => a * b, 1))), 'x');
        const y = constant(nd(s.axes, sizes2, new Float64Array(sizes2.reduce((a, b) => a * b, 1))), 'y');
        assertShapeError(() => binaryFns[k]!(x, y), `axis ${s.axes[d]}`, `size ${s.sizes[d]}`, `${other}`, "'x'", "'y'");
      });
    });

    it('select checks cond against a and a against b', () => {
      const a = constant(nd(['B', 'C'], [2, 3], new Float64Array(6)));
      const c = constant(nd(['B', 'C'], [2, 4], new Float64Array(8)));
      assertShapeError(() => sg.select(c, a, a), 'select', 'axis C');
      const b = constant(nd(['C', 'B'], [3, 2], new Float64Array(6)));
      assertShapeError(() => sg.select(a, a, b as T), 'select', '[B, C]', '[C, B]');
    });

    it('a number operand takes the shape of the tensor operand', () => {
      const x = constant(nd(['B', 'C'], [2, 3], [1, 2, 3, 4, 5, 6]));
      const y: NDArray = sg.evaluate(sg.sub(10, x));
      assertShape(y, ['B', 'C'], [2, 3]);
      assert.deepEqual(Array.from(y.data), [9, 8, 7, 6, 5, 4]);
    });
  });
});
