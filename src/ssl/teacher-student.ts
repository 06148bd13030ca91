/**
 * Teacher and student: two copies of one network. The student is trained by
 * the optimiser; the teacher follows it by the EMA of ema.ts, and its outputs
 * are targets, never differentiated.
 *
 * Both are values in an explicit state { student, teacher }; `update` returns
 * a new state. The types say whose is what: the teacher's parameters are
 * `TeacherParams` (the student's network refuses them), its outputs are
 * `Teacher` (the objectives take them as the teacher's views only).
 */
import type { Shape, Sizes } from '../shape/types.js';
import type { Tensor } from '../ir/tensor.js';
import type { Key } from '../runtime/prng.js';
import type { ApplyContext, Layer } from '../nn/layer.js';
import { withUpdates } from '../nn/params.js';
import type { Schedule } from '../optim/schedules.js';
import { detach } from './cross-entropy-soft.js';
import { emaUpdate } from './ema.js';
import { asTeacher, asTeacherParams, type NotTeacher, type Teacher, type TeacherParams } from './teacher.js';

/** Student and teacher parameters, and the number of updates applied. */
export interface TeacherStudentState<P> {
  readonly student: P;
  readonly teacher: TeacherParams<P>;
  /** The number of updates applied so far (the step at which the momentum is read next). */
  readonly step: number;
}

/** A teacher following a student network by EMA: init, both forward passes, and the update. */
export interface TeacherStudent<P, In extends Shape, Out extends Shape> {
  readonly network: Layer<P, In, Out>;
  readonly momentum: Schedule<'iteration'> | number;
  /** Both copies start from the same parameters (DINO loads the student's weights into the teacher). */
  init(key: Key, sizes: Sizes): TeacherStudentState<P>;
  /** The student's output (differentiable with respect to the student parameters given; the teacher's are refused). */
  student(params: NotTeacher<P>, x: Tensor<In>, ctx?: ApplyContext): Tensor<Out>;
  /** The teacher's output: detached and the teacher's, so its type says it is a target. */
  teacher(state: TeacherStudentState<P>, x: Tensor<In>, ctx?: ApplyContext): Teacher<Tensor<Out>>;
  /**
   * After an optimiser step: the new student, and the teacher moved towards it at the scheduled
   * momentum. `teacherBuffers` are the running statistics the teacher's forward passes emitted
   * (BatchNorm in training mode): they become the teacher's, as the EMA leaves buffers alone.
   */
  update(state: TeacherStudentState<P>, newStudent: NotTeacher<P>, teacherBuffers?: Readonly<Record<string, Tensor>>): TeacherStudentState<P>;
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
      return { student, teacher: asTeacherParams(student), step: 0 };
    },
    student: (params, x, ctx) => network.apply(params, x, ctx),
    // The teacher's detached leaves are its parameters: P with the gradient stopped.
    teacher: (state, x, ctx) => asTeacher(network.apply(state.teacher as P, x, ctx)),
    update(state, newStudent, teacherBuffers = {}) {
      const teacher = emaUpdate<P>(state.teacher, newStudent, momentumAt(state.step));
      const buffers = Object.fromEntries(Object.entries(teacherBuffers).map(([path, value]) => [path, detach(value)]));
      return { student: newStudent, teacher: withUpdates(teacher, buffers), step: state.step + 1 };
    },
  };
}
