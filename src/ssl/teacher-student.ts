/**
 * Teacher and student: two copies of one network. The student is trained by
 * the optimiser; the teacher follows it as an exponential moving average of
 * its parameters, and its outputs are targets, never differentiated.
 *
 *   teacher' = m·teacher + (1 - m)·student        (DINO: param_k·m + (1 - m)·param_q)
 *
 * Both are values in an explicit state { student, teacher }; `update` returns
 * a new state, and the teacher's outputs are `Detached` in their type.
 */
import type { Shape, Sizes } from '../shape/types.js';
import { Tensor, isTensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { add, mul } from '../ops/elementwise.js';
import type { Key } from '../runtime/prng.js';
import type { ApplyContext, Layer } from '../nn/layer.js';
import type { Schedule } from '../optim/schedules.js';
import { detach, type Detached } from './cross-entropy-soft.js';

/** A parameter tree whose every leaf is detached. */
export type DetachedTree<P> = P extends Tensor ? Detached<P> : P extends readonly unknown[] ? { readonly [K in keyof P]: DetachedTree<P[K]> } : P extends object ? { readonly [K in keyof P]: DetachedTree<P[K]> } : P;

/** Every leaf of a parameter tree through stopGradient. */
export function detachTree<P>(params: P): DetachedTree<P> {
  const flat = flattenTree(params, isTensor, 'params');
  return unflattenTree(flat.def, flat.leaves.map((x) => detach(x)));
}

/**
 * The EMA of two parameter trees of the same structure: m·teacher + (1 - m)·student,
 * leaf by leaf, with no gradient into either.
 */
export function emaUpdate<P>(teacher: P, student: P, momentum: number): DetachedTree<P> {
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`emaUpdate: momentum must lie in [0, 1], got ${momentum}`);
  const t = flattenTree(teacher, isTensor, 'teacher');
  const s = flattenTree(student, isTensor, 'student');
  if (t.leaves.length !== s.leaves.length) throw new RangeError(`emaUpdate: the teacher has ${t.leaves.length} parameters, the student ${s.leaves.length}`);
  const leaves = t.leaves.map((tl, i) => {
    const sl = s.leaves[i]!;
    if (t.paths[i]!.replace(/^teacher/, '') !== s.paths[i]!.replace(/^student/, '')) {
      throw new RangeError(`emaUpdate: parameter ${t.paths[i]} of the teacher meets ${s.paths[i]} of the student`);
    }
    return detach(add(mul(detach(tl) as Tensor<Shape>, momentum), mul(detach(sl) as Tensor<Shape>, 1 - momentum)));
  });
  return unflattenTree(t.def, leaves);
}

export interface TeacherStudentState<P> {
  readonly student: P;
  readonly teacher: DetachedTree<P> | P;
  /** The number of updates applied so far (the step at which the momentum is read next). */
  readonly step: number;
}

export interface TeacherStudent<P, In extends Shape, Out extends Shape> {
  readonly network: Layer<P, In, Out>;
  readonly momentum: Schedule<'iteration'> | number;
  /** Both copies start from the same parameters (DINO loads the student's weights into the teacher). */
  init(key: Key, sizes: Sizes): TeacherStudentState<P>;
  /** The student's output (differentiable with respect to the student parameters given). */
  student(params: P, x: Tensor<In>, ctx?: ApplyContext): Tensor<Out>;
  /** The teacher's output: detached, so its type says it is a target. */
  teacher(state: TeacherStudentState<P>, x: Tensor<In>, ctx?: ApplyContext): Detached<Tensor<Out>>;
  /** After an optimiser step: the new student, and the teacher moved towards it at the scheduled momentum. */
  update(state: TeacherStudentState<P>, newStudent: P): TeacherStudentState<P>;
  /** The momentum used by the update at `step`. */
  momentumAt(step: number): number;
}

/** A teacher following a student network by EMA with a momentum schedule (or a constant momentum). */
export function teacherStudent<P, In extends Shape, Out extends Shape>(network: Layer<P, In, Out>, momentum: Schedule<'iteration'> | number): TeacherStudent<P, In, Out> {
  const momentumAt = (step: number): number => (typeof momentum === 'number' ? momentum : momentum.at(step));
  return {
    network,
    momentum,
    momentumAt,
    init(key, sizes) {
      const student = network.init(key, sizes);
      return { student, teacher: detachTree(student), step: 0 };
    },
    student: (params, x, ctx) => network.apply(params, x, ctx),
    teacher: (state, x, ctx) => detach(network.apply(detachTree(state.teacher as P) as P, x, ctx)),
    update(state, newStudent) {
      const teacher = emaUpdate(state.teacher as P, newStudent, momentumAt(state.step));
      return { student: newStudent, teacher, step: state.step + 1 };
    },
  };
}
