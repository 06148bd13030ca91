/**
 * The EMA of the teacher towards the student, the one update of a teacher's
 * parameters (teacherStudent's and the trainers'):
 *
 *   teacher' = m·teacher + (1 - m)·student        (DINO: param_k·m + (1 - m)·param_q)
 *
 * over the parameters only, as DINO's loop over parameters(): BatchNorm's
 * running statistics (buffers) stay the teacher's own, which its forward pass
 * in training mode updates (`withUpdates` with what that pass emitted).
 * The direction is in the types: the teacher's parameters first, any
 * non-teacher tree second.
 */
import type { Shape } from '../shape/types.js';
import { isTensor, type Tensor } from '../ir/tensor.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { broadcastTo } from '../ops/layout.js';
import { isBufferPath } from '../nn/batch-norm.js';
import { detach } from './cross-entropy-soft.js';
import type { NotTeacher, TeacherParams } from './teacher.js';

/**
 * m·teacher + (1 - m)·student leaf by leaf, with no gradient into either; buffers keep the
 * teacher's values. The momentum is a number in [0, 1] or a scalar tensor (a traced program's
 * input, so that its schedule needs no retracing).
 */
export function emaUpdate<P>(teacher: TeacherParams<NoInfer<P>>, student: NotTeacher<P>, momentum: number | Tensor<[]>): TeacherParams<P> {
  if (typeof momentum === 'number' && !(momentum >= 0 && momentum <= 1)) throw new RangeError(`emaUpdate: momentum must lie in [0, 1], got ${momentum}`);
  const t = flattenTree(teacher, isTensor, 'teacher');
  const s = flattenTree(student, isTensor, 'student');
  if (t.leaves.length !== s.leaves.length) throw new RangeError(`emaUpdate: the teacher has ${t.leaves.length} parameters, the student ${s.leaves.length}`);
  const leaves = t.leaves.map((tl, i) => {
    const path = t.paths[i]!.replace(/^teacher/, '');
    if (path !== s.paths[i]!.replace(/^student/, '')) throw new RangeError(`emaUpdate: parameter ${t.paths[i]} of the teacher meets ${s.paths[i]} of the student`);
    return isBufferPath(path) ? detach(tl) : blend(tl as Tensor<Shape>, s.leaves[i] as Tensor<Shape>, momentum);
  });
  return unflattenTree(t.def, leaves);
}

function blend(teacher: Tensor<Shape>, student: Tensor<Shape>, momentum: number | Tensor<[]>): Tensor<Shape> {
  const t = detach(teacher);
  const s = detach(student);
  if (typeof momentum === 'number') return detach(add(mul(t, momentum), mul(s, 1 - momentum)));
  const m = broadcastTo(momentum, teacher.axes, teacher.sizes) as Tensor<Shape>;
  return detach(add(mul(m, t), mul(sub(1, m), s)));
}
