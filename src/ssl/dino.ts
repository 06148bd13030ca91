/**
 * DINO's objective (main_dino.py, DINOLoss), composed from the parts:
 *
 *   s_v  = student view v / τ_s                         (τ_s = studentTemp, 0.1)
 *   t_i  = softmax((teacher view i - center) / τ_t(epoch))   (detached; τ_t warms up linearly)
 *   loss = mean over pairs (i, v ≠ i) of H(t_i, softmax(s_v))   (multi-crop pairing)
 *   center' = m·center + (1 - m)·mean_rows(teacher)     (the state; the loss uses the old center)
 *
 * Views are lists of [B, K] tensors (K: the prototype axis), or stacked
 * crop-major with `lossStacked`. The state is { center }, threaded by the caller.
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { add, div } from '../ops/elementwise.js';
import { scalar } from '../ops/sources.js';
import { concat } from '../ops/slicing.js';
import { teacherTemperatureSchedule, type Schedule } from '../optim/schedules.js';
import { applyCenter, initCenter, updateCenterOnAxes, type Center } from './center.js';
import { detach, softCrossEntropy, type Detached, type Differentiable, type Probs } from './cross-entropy-soft.js';
import type { Teacher } from './teacher.js';
import { crossViewPairs, splitViews } from './multi-crop.js';
import { scaleDown, temperedSoftmax } from './sharpen.js';

/** DINO's configuration (main_dino.py's): crops, teacher temperatures and their warm-up, student temperature, center momentum. */
export interface DinoConfig {
  /** Total number of views the student sees (2 global + local). */
  readonly ncrops: number;
  /** Views the teacher sees: the first `teacherViews` (DINO: the 2 global views). */
  readonly teacherViews?: number;
  readonly warmupTeacherTemp: number;
  readonly teacherTemp: number;
  readonly warmupTeacherTempEpochs: number;
  readonly nepochs: number;
  readonly studentTemp?: number;
  readonly centerMomentum?: number;
}

/** DINO's state: the center. */
export interface DinoState<K extends Axis> {
  readonly center: Center<[K]>;
}

/** DINO's loss, the new center, the temperature used and the teacher's distributions. */
export interface DinoResult<B extends Axis, K extends Axis> {
  readonly loss: Tensor<[]>;
  readonly state: DinoState<K>;
  /** The teacher temperature used (schedule value at the epoch). */
  readonly temperature: number;
  /** The teacher's centred, sharpened distributions, one per teacher view. */
  readonly teacherProbs: readonly Detached<Probs<[B, K], K>>[];
}

/** DINO's objective: its configuration, teacher temperature schedule, state and losses. */
export interface Dino {
  readonly config: Required<DinoConfig>;
  readonly teacherTemperature: Schedule<'epoch'>;
  /** The zero center over the prototype axis. */
  init<const K extends Axis>(prototypeAxis: K, size: number): DinoState<K>;
  /**
   * The loss from lists of views: `student` has ncrops views (they carry the gradient), `teacher`
   * the teacher's views (targets: `Teacher`, as `teacherStudent(...).teacher` gives them, or `asTeacher`
   * where a trainer runs the teacher network itself). Detached student views are refused there.
   */
  loss<B extends Axis, K extends Axis>(student: readonly Differentiable<Tensor<[B, K]>>[], teacher: readonly Teacher<Tensor<[B, K]>>[], state: DinoState<K>, epoch: number): DinoResult<B, K>;
  /** The same from crop-major stacked outputs ([ncrops·B, K] and [teacherViews·B, K]), as DINOLoss.forward. */
  lossStacked<N extends Axis, K extends Axis>(student: Differentiable<Tensor<[N, K]>>, teacher: Teacher<Tensor<[N, K]>>, state: DinoState<K>, epoch: number): DinoResult<N, K>;
}

/** DINO's objective from its configuration: the loss between the student's views and the teacher's, and the center it threads. */
export function dino(config: DinoConfig): Dino {
  const full: Required<DinoConfig> = { teacherViews: 2, studentTemp: 0.1, centerMomentum: 0.9, ...config };
  const schedule = teacherTemperatureSchedule({
    warmupTeacherTemp: full.warmupTeacherTemp,
    teacherTemp: full.teacherTemp,
    warmupTeacherTempEpochs: full.warmupTeacherTempEpochs,
    epochs: full.nepochs,
  });
  const pairs = crossViewPairs({ views: full.ncrops, targetViews: Array.from({ length: full.teacherViews }, (_, i) => i) });

  function loss<B extends Axis, K extends Axis>(student: readonly Differentiable<Tensor<[B, K]>>[], teacher: readonly Teacher<Tensor<[B, K]>>[], state: DinoState<K>, epoch: number): DinoResult<B, K> {
    if (student.length !== full.ncrops) throw new ShapeError(`dino: ${student.length} student views, but ncrops is ${full.ncrops}`);
    if (teacher.length !== full.teacherViews) throw new ShapeError(`dino: ${teacher.length} teacher views, but the teacher sees ${full.teacherViews}`);
    const temperature = schedule.at(epoch);
    const kAxis = student[0]!.axes[1] as K;
    const studentLogits = student.map((s) => scaleDown(s, full.studentTemp, 'dino student'));
    const teacherProbs = teacher.map((t) => detach(temperedSoftmax(applyCenter(detach(t), state.center), temperature, kAxis)));
    let total: Tensor<[]> = scalar(0);
    for (const p of pairs) total = add(total, softCrossEntropy(teacherProbs[p.target]!, studentLogits[p.view]!, kAxis));
    const lossValue = div(total, pairs.length);
    const bAxis = teacher[0]!.axes[0] as B;
    // Without<[B, K], B> is [K] only for distinct B and K, which the checker cannot assume: the axes are checked at run time.
    const center = updateCenterOnAxes(state.center, concat(teacher, bAxis), bAxis, full.centerMomentum) as Center<[K]>;
    return { loss: lossValue, state: { center }, temperature, teacherProbs };
  }

  return {
    config: full,
    teacherTemperature: schedule,
    init: <const K extends Axis>(prototypeAxis: K, size: number) => ({ center: initCenter([prototypeAxis], [size]) as Center<[K]> }),
    loss,
    lossStacked: <N extends Axis, K extends Axis>(student: Differentiable<Tensor<[N, K]>>, teacher: Teacher<Tensor<[N, K]>>, state: DinoState<K>, epoch: number) => {
      const rows = student.axes[0] as N;
      // Slices of the teacher's output are the teacher's (detached: their gradient stops at its stopGradient).
      return loss(splitViews(student, rows, full.ncrops), splitViews(teacher, rows, full.teacherViews) as Teacher<Tensor<[N, K]>>[], state, epoch);
    },
  };
}
