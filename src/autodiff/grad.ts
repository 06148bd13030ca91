/**
 * grad, valueAndGrad, vjp and jvp over parameter trees (nested records and
 * arrays of tensors). Like JAX, they differentiate with respect to the first
 * argument. They build graph nodes; nothing is evaluated, so they compose:
 * grad(x => ... grad(f)(x) ...) is a second derivative.
 */
import { ShapeError } from '../shape/errors.js';
import { Tensor, isTensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { identity } from '../ops/identity.js';
import { fullLike } from '../ops/sources.js';
import { add, mul } from '../ops/elementwise.js';
import { sumAxes } from '../ops/reduce.js';
import { backprop } from './backprop.js';

/**
 * Fresh identity nodes for each leaf, so that the derivative is taken with
 * respect to this argument only, even when the same tensor is also reachable
 * some other way (a closure, another argument).
 */
function freshVariables<P>(params: P): { vars: Tensor[]; tree: P; rebuild: (leaves: Tensor[]) => P } {
  const flat = flattenTree(params, isTensor, 'params');
  const vars = flat.leaves.map((x) => identity(x));
  return { vars, tree: unflattenTree<P>(flat.def, vars), rebuild: (leaves) => unflattenTree<P>(flat.def, leaves) };
}

function requireScalar(where: string, out: unknown): Tensor<[]> {
  if (!isTensor(out) || out.rank !== 0) {
    const shape = isTensor(out) ? `[${out.axes.map((a, i) => `${a}=${out.sizes[i]}`).join(', ')}]` : typeof out;
    throw new ShapeError(`${where}: the function must return a scalar tensor (no axes), got ${shape}; reduce it (sum, mean) first`);
  }
  return out as Tensor<[]>;
}

/** The value of f and its gradient with respect to the first argument (a tree). */
export function valueAndGrad<P, Rest extends unknown[]>(f: (params: P, ...rest: Rest) => Tensor<[]>) {
  return (params: P, ...rest: Rest): [Tensor<[]>, P] => {
    const { vars, tree, rebuild } = freshVariables(params);
    const value = requireScalar('grad', f(tree, ...rest));
    const grads = backprop([value], [fullLike(1, value)], vars);
    return [value, rebuild(grads)];
  };
}

/** The gradient of a scalar function with respect to its first argument, as a tree like it. */
export function grad<P, Rest extends unknown[]>(f: (params: P, ...rest: Rest) => Tensor<[]>) {
  const vg = valueAndGrad(f);
  return (params: P, ...rest: Rest): P => vg(params, ...rest)[1];
}

/** f's outputs and a function from output cotangents to the cotangent of the first argument. */
export function vjp<P, R>(f: (params: P) => R, params: P): [R, (cotangents: R) => P] {
  const { vars, tree, rebuild } = freshVariables(params);
  const out = f(tree);
  const outs = flattenTree(out, isTensor, 'out');
  const pullback = (cotangents: R): P => {
    const cts = flattenTree(cotangents, isTensor, 'cotangent');
    if (cts.leaves.length !== outs.leaves.length) throw new ShapeError(`vjp: ${outs.leaves.length} outputs but ${cts.leaves.length} cotangents`);
    return rebuild(backprop(outs.leaves, cts.leaves, vars));
  };
  return [out, pullback];
}

/**
 * Forward mode by transposing reverse mode: the pullback is linear in its
 * cotangent u, so the JVP is the gradient of <pullback(u), tangent> in u.
 */
export function jvp<P, R extends Tensor>(f: (params: P) => R, params: P, tangents: P): [R, R] {
  const [out, pullback] = vjp(f, params);
  const u = identity(fullLike(0, out)) as R;
  const pulled = flattenTree(pullback(u), isTensor).leaves;
  const ts = flattenTree(tangents, isTensor, 'tangents').leaves;
  if (pulled.length !== ts.length) throw new ShapeError(`jvp: ${pulled.length} parameters but ${ts.length} tangents`);
  const inner = pulled.map((p, i) => sumAxes(mul(p, ts[i]!), p.axes)) as Tensor<[]>[];
  const dot = inner.slice(1).reduce<Tensor<[]>>((a, b) => add(a, b), inner[0]!);
  const [tangentOut] = backprop([dot], [fullLike(1, dot)], [u]);
  return [out, tangentOut as R];
}

