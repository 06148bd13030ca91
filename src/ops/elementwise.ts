/**
 * Elementwise ops. Binary ops take operands with the same axes in the same
 * order: broadcasting is explicit (see `broadcast`), numbers are the one
 * exception and become fills of the tensor operand's shape.
 */
import type { Shape } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import { apply, defineOp, noGradient, type OpDef } from './define.js';
import { requireSameShape } from './check.js';
import { fullLike } from './sources.js';
import { erf as erfScalar } from './special/erf.js';

/** The attributes of an op that has none. */
export type NoAttrs = Record<string, never>;
const none: NoAttrs = {};

/** A primitive unary op: `f` per element, the shape of its input, the given VJP. */
export function unaryOp(name: string, f: (x: number) => number, vjp: OpDef<NoAttrs>['vjp']): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name,
    shape: ([x]) => ({ axes: x!.axes, sizes: x!.sizes }),
    evaluate: ([x]) => x!.data.map(f),
    vjp,
  });
}

/** A primitive binary op on two tensors of the same axes: `f` per pair of elements, the given VJP. */
export function binaryOp(name: string, f: (a: number, b: number) => number, vjp: OpDef<NoAttrs>['vjp']): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name,
    shape: ([a, b]) => {
      requireSameShape(name, a!, b!);
      return { axes: a!.axes, sizes: a!.sizes };
    },
    evaluate: ([a, b]) => {
      const out = new Float64Array(a!.data.length);
      const x = a!.data;
      const y = b!.data;
      for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, y[i]!);
      return out;
    },
    vjp,
  });
}

/** The function applying a unary op to a tensor. */
export const unary =
  (op: OpDef<NoAttrs>) =>
  <S extends Shape>(x: Tensor<S>): Tensor<S> =>
    apply<S, NoAttrs>(op, [x], none);

/** An elementwise binary function: two tensors of the same axes, or a tensor and a number. */
export interface BinaryFn {
  /** Two tensors of the same axes, or a tensor and a number. */
  <S extends Shape>(x: Tensor<S>, y: Tensor<NoInfer<S>> | number): Tensor<S>;
  /** A number and a tensor. */
  <S extends Shape>(x: number, y: Tensor<S>): Tensor<S>;
}

/** The function applying a binary op (a number operand becomes a fill of the tensor operand's shape). */
export const binary = (op: OpDef<NoAttrs>): BinaryFn =>
  ((x: Tensor | number, y: Tensor | number) => {
    const a = typeof x === 'number' ? fullLike(x, y as Tensor) : x;
    const b = typeof y === 'number' ? fullLike(y, a) : y;
    return apply(op, [a, b], none);
  }) as BinaryFn;

// ---- unary ---------------------------------------------------------------

export const negOp = unaryOp('neg', (x) => -x, (_, g) => [neg(g)]);
export const expOp = unaryOp('exp', Math.exp, (node, g) => [mul(g, node)]);
export const logOp = unaryOp('log', Math.log, (node, g) => [div(g, node.inputs[0]!)]);
export const sqrtOp = unaryOp('sqrt', Math.sqrt, (node, g) => [div(mul(g, 0.5), node)]);
export const reciprocalOp = unaryOp('reciprocal', (x) => 1 / x, (node, g) => [neg(mul(g, mul(node, node)))]);
export const absOp = unaryOp('abs', Math.abs, (node, g) => [mul(g, sign(node.inputs[0]!))]);
export const signOp = unaryOp('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x), noGradient);
export const floorOp = unaryOp('floor', Math.floor, noGradient);
export const sinOp = unaryOp('sin', Math.sin, (node, g) => [mul(g, cos(node.inputs[0]!))]);
export const cosOp = unaryOp('cos', Math.cos, (node, g) => [neg(mul(g, sin(node.inputs[0]!)))]);
export const tanhOp = unaryOp('tanh', Math.tanh, (node, g) => [mul(g, sub(1, mul(node, node)))]);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
export const erfOp = unaryOp('erf', erfScalar, (node, g) => {
  const x = node.inputs[0]!;
  return [mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI))];
});

/** -x, elementwise. */
export const neg = unary(negOp);
/** e^x, elementwise. */
export const exp = unary(expOp);
/** The natural logarithm, elementwise. */
export const log = unary(logOp);
/** √x, elementwise. */
export const sqrt = unary(sqrtOp);
/** 1 / x, elementwise. */
export const reciprocal = unary(reciprocalOp);
/** |x|, elementwise. */
export const abs = unary(absOp);
/** The sign of x (-1, 0 or 1), elementwise (zero gradient). */
export const sign = unary(signOp);
/** ⌊x⌋, elementwise (zero gradient). */
export const floor = unary(floorOp);
/** sin x, elementwise. */
export const sin = unary(sinOp);
/** cos x, elementwise. */
export const cos = unary(cosOp);
/** tanh x, elementwise. */
export const tanh = unary(tanhOp);
/** The error function, elementwise. */
export const erf = unary(erfOp);

// ---- binary --------------------------------------------------------------

export const addOp = binaryOp('add', (a, b) => a + b, (_, g) => [g, g]);
export const subOp = binaryOp('sub', (a, b) => a - b, (_, g) => [g, neg(g)]);
export const mulOp = binaryOp('mul', (a, b) => a * b, (node, g) => [mul(g, node.inputs[1]!), mul(g, node.inputs[0]!)]);
export const divOp = binaryOp('div', (a, b) => a / b, (node, g) => {
  const [, b] = node.inputs as [Tensor, Tensor];
  const ga = div(g, b);
  return [ga, neg(mul(ga, node))];
});
/** Where both operands are equal the gradient is shared half and half (as JAX does). */
export const maximumOp = binaryOp('maximum', Math.max, (node, g) => {
  const [a, b] = node.inputs as [Tensor, Tensor];
  const wa = add(greater(a, b), mul(equal(a, b), 0.5));
  return [mul(g, wa), mul(g, sub(1, wa))];
});
export const minimumOp = binaryOp('minimum', Math.min, (node, g) => {
  const [a, b] = node.inputs as [Tensor, Tensor];
  const wa = add(less(a, b), mul(equal(a, b), 0.5));
  return [mul(g, wa), mul(g, sub(1, wa))];
});
/** x^y; the gradient for y assumes x > 0 (it is zero where x is 0). */
export const powOp = binaryOp('pow', Math.pow, (node, g) => {
  const [a, b] = node.inputs as [Tensor, Tensor];
  const da = mul(g, mul(b, pow(a, sub(b, 1))));
  const safeLog = log(select(greater(a, 0), a, 1));
  const db = mul(g, mul(node, safeLog));
  return [da, db];
});
export const lessOp = binaryOp('less', (a, b) => (a < b ? 1 : 0), noGradient);
export const greaterOp = binaryOp('greater', (a, b) => (a > b ? 1 : 0), noGradient);
export const equalOp = binaryOp('equal', (a, b) => (a === b ? 1 : 0), noGradient);

/** x + y, elementwise (same axes; a number is broadcast). */
export const add = binary(addOp);
/** x - y, elementwise (same axes; a number is broadcast). */
export const sub = binary(subOp);
/** x · y, elementwise (same axes; a number is broadcast). */
export const mul = binary(mulOp);
/** x / y, elementwise (same axes; a number is broadcast). */
export const div = binary(divOp);
/** max(x, y), elementwise (same axes; a number is broadcast). */
export const maximum = binary(maximumOp);
/** min(x, y), elementwise (same axes; a number is broadcast). */
export const minimum = binary(minimumOp);
/** x^y, elementwise (same axes; a number is broadcast). */
export const pow = binary(powOp);
/** 1 where x < y, else 0. */
export const less = binary(lessOp);
/** 1 where x > y, else 0. */
export const greater = binary(greaterOp);
/** 1 where x == y, else 0. */
export const equal = binary(equalOp);

// ---- select --------------------------------------------------------------

export const selectOp = defineOp<NoAttrs>({
  name: 'select',
  shape: ([c, a, b]) => {
    requireSameShape('select', c!, a!);
    requireSameShape('select', a!, b!);
    return { axes: a!.axes, sizes: a!.sizes };
  },
  evaluate: ([c, a, b]) => {
    const out = new Float64Array(a!.data.length);
    for (let i = 0; i < out.length; i++) out[i] = c!.data[i]! !== 0 ? a!.data[i]! : b!.data[i]!;
    return out;
  },
  vjp: (node, g) => {
    const c = node.inputs[0]!;
    const zero = fullLike(0, g);
    return [undefined, select(c, g, zero), select(c, zero, g)];
  },
});

/** Where cond is non-zero take a, else b (all three with the same axes). */
export function select<S extends Shape>(cond: Tensor<S>, a: Tensor<NoInfer<S>> | number, b: Tensor<NoInfer<S>> | number): Tensor<S> {
  const ta = typeof a === 'number' ? fullLike(a, cond) : a;
  const tb = typeof b === 'number' ? fullLike(b, cond) : b;
  return apply<S, NoAttrs>(selectOp, [cond, ta, tb], none);
}
