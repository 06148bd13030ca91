/**
 * The teacher's role in the types. A teacher network (DINO's EMA copy, or any
 * network whose outputs are targets) yields `Teacher` outputs: detached, and
 * marked as the teacher's, so that an objective asking for the teacher's views
 * refuses the student's (even detached ones: those would be targets with no
 * teacher behind them). Its parameters are `TeacherParams`: written by the EMA
 * only, refused where the student's parameters are expected (`NotTeacher`).
 * All of this is phantom: at run time a teacher output is the detached tensor.
 */
import { isTensor, type Tensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { detach, type Detached } from './cross-entropy-soft.js';

declare const teacherRole: unique symbol;

/** An output of the teacher network: detached, and marked as the teacher's. */
export type Teacher<T extends Tensor> = Detached<T> & { readonly [teacherRole]: true };

/** A parameter tree whose every leaf is detached. */
export type DetachedTree<P> = P extends Tensor ? Detached<P> : P extends readonly unknown[] ? { readonly [K in keyof P]: DetachedTree<P[K]> } : P extends object ? { readonly [K in keyof P]: DetachedTree<P[K]> } : P;

/** The teacher's parameters: every leaf detached, the tree marked as the teacher's (only the EMA writes it). */
export type TeacherParams<P> = DetachedTree<P> & { readonly [teacherRole]: true };

/**
 * Anything but the teacher's (outputs or parameters): what the student side takes,
 * its parameters, its optimiser step, the EMA's source. Every plain value is one.
 */
export type NotTeacher<T> = T & { readonly [teacherRole]?: never };

/** Every leaf of a parameter tree through stopGradient. */
export function detachTree<P>(params: P): DetachedTree<P> {
  const flat = flattenTree(params, isTensor, 'params');
  return unflattenTree(flat.def, flat.leaves.map((x) => detach(x)));
}

/**
 * x, the output of the teacher's network, detached and marked as the teacher's: for a
 * trainer that runs the teacher itself (a traced step); `teacherStudent(...).teacher` does it.
 */
export function asTeacher<T extends Tensor>(x: T): Teacher<T> {
  return detach(x) as Teacher<T>;
}

/**
 * A parameter tree as the teacher's (every leaf detached): the teacher's initial copy of the
 * student, or the teacher's parameters passed into a traced program or restored from a checkpoint.
 */
export function asTeacherParams<P>(params: P): TeacherParams<P> {
  return detachTree(params) as TeacherParams<P>;
}
