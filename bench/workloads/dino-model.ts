/**
 * DINO loss plus a 3-iteration Sinkhorn, forward and backward, in shapegrad,
 * from the library's objectives (src/ssl): batch 256, 4096 prototypes, 2
 * global and 4 local crops (6 student views, 2 teacher views, stacked
 * crop-major as the official code does).
 *
 *   dino  = DINOLoss: teacher softmax((t - center) / 0.04) of the 2 teacher
 *           views against log_softmax(student / 0.1) of the 6 student views,
 *           over the pairs (iq, v != iq), mean over the 10 pairs; center' =
 *           0.9 center + 0.1 mean of the teacher rows
 *   swav  = SwAV's swapped prediction: codes q_i = Sinkhorn(student global
 *           view i, eps 0.05, 3 iterations; detached) predicted by
 *           softmax(student view v / 0.1) for v != i
 *   loss  = dino + swav; outputs: loss, d loss / d student, the new center.
 */
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { dino } from '../../src/ssl/dino.js';
import { asCenter } from '../../src/ssl/center.js';
import { sinkhorn } from '../../src/ssl/sinkhorn.js';
import { swappedPrediction } from '../../src/ssl/swapped-prediction.js';
import { splitViews } from '../../src/ssl/multi-crop.js';

export const dinoConfig = {
  batch: 256,
  prototypes: 4096,
  globalCrops: 2,
  localCrops: 4,
  teacherTemp: 0.04,
  studentTemp: 0.1,
  centerMomentum: 0.9,
  epsilon: 0.05,
  sinkhornIterations: 3,
} as const;

export const studentViews = dinoConfig.globalCrops + dinoConfig.localCrops; // 6
export const studentRows = studentViews * dinoConfig.batch; // 1536
export const teacherRows = dinoConfig.globalCrops * dinoConfig.batch; // 512

type Student = Tensor<['R', 'K']>;
/** The teacher's rows carry the axis name R too (lossStacked splits both along the same axis). */
type Teacher = Tensor<['R', 'K']>;
type Center = Tensor<['K']>;

const objective = dino({
  ncrops: studentViews,
  teacherViews: dinoConfig.globalCrops,
  warmupTeacherTemp: dinoConfig.teacherTemp,
  teacherTemp: dinoConfig.teacherTemp,
  warmupTeacherTempEpochs: 0,
  nepochs: 1,
  studentTemp: dinoConfig.studentTemp,
  centerMomentum: dinoConfig.centerMomentum,
});

function lossAndCenter(student: Student, teacher: Teacher, center: Center): { loss: Tensor<[]>; center: Tensor<['K']> } {
  const d = objective.lossStacked(student, sg.ssl.asTeacher(teacher), { center: asCenter(center) }, 0);
  const views = splitViews(student, 'R', studentViews) as unknown as Tensor<['B', 'K']>[];
  const codes = views.slice(0, dinoConfig.globalCrops).map((v, i) => ({
    view: i,
    codes: sinkhorn(v, 'K', { iterations: dinoConfig.sinkhornIterations, epsilon: dinoConfig.epsilon }),
  }));
  const swav = swappedPrediction(codes, views, 'K', dinoConfig.studentTemp);
  return { loss: sg.add(d.loss, swav), center: d.state.center as unknown as Center };
}

export function dinoProgram() {
  const { batch, prototypes } = dinoConfig;
  return sg.trace(
    (student: Student, teacher: Teacher, center: Center) => {
      let newCenter: Center | undefined;
      const [loss, grad] = sg.valueAndGrad((s: Student) => {
        const r = lossAndCenter(s, teacher, center);
        newCenter = r.center;
        return r.loss;
      })(student);
      return { loss, grad, center: newCenter! };
    },
    sg.spec(['R', 'K'], [studentViews * batch, prototypes], 'student'),
    sg.spec(['R', 'K'], [dinoConfig.globalCrops * batch, prototypes], 'teacher'),
    sg.spec(['K'], [prototypes], 'center'),
  );
}
