/**
 * Roles (issue 15): which tensor is a target, which carries the gradient, what is a center,
 * what may be sharpened, which unit a schedule counts in. Each rejected line below is a
 * program a user could write, that compiled before and is wrong; check-expect-errors.mjs
 * proves each directive is needed. The accepted section shows the right programs compile.
 */
import { oneHot, type Tensor } from '../../src/index.js';
import { applyCenter, asCenter, centering, initCenter, updateCenter, type Center } from '../../src/ssl/center.js';
import { asProbs, crossEntropyOfProbs, detach, softCrossEntropy, type Detached, type Differentiable, type Probs } from '../../src/ssl/cross-entropy-soft.js';
import { pseudoLabelLoss } from '../../src/ssl/deep-cluster.js';
import { dino } from '../../src/ssl/dino.js';
import { sharpen, temperedSoftmax } from '../../src/ssl/sharpen.js';
import { sinkhorn } from '../../src/ssl/sinkhorn.js';
import { swappedPrediction } from '../../src/ssl/swapped-prediction.js';
import { teacherStudent } from '../../src/ssl/teacher-student.js';
import { asTeacher, asTeacherParams, type Teacher, type TeacherParams } from '../../src/ssl/teacher.js';
import { emaUpdate } from '../../src/ssl/ema.js';
import { swav } from '../../src/ssl/swav.js';
import { paws } from '../../src/ssl/paws.js';
import { seer, type SeerParams } from '../../src/ssl/seer.js';
import type { Layer } from '../../src/nn/layer.js';
import { emaMomentumSchedule, perIteration, teacherTemperatureSchedule, type Schedule } from '../../src/optim/schedules.js';
import type { Equal, Expect } from './expect.js';

type View = Tensor<['B', 'K']>;
declare const net: Layer<{ readonly w: Tensor<['K', 'X']> }, ['B', 'X'], ['B', 'K']>;
declare const params: { readonly w: Tensor<['K', 'X']> };
declare const images: Tensor<['B', 'X']>;
declare const student: View;
declare const rawLogits: View;
declare const anyTensor: Tensor<['K']>;
declare const labels: Tensor<['B']>;
declare const studentViews: View[];
declare const embedding: Tensor<['R', 'D']>;
declare const prototypes: Tensor<['K', 'D']>;
declare const hReps: Tensor<['N', 'D']>;
declare const zReps: Tensor<['N', 'D']>;
declare const trunk: Layer<{ readonly w: Tensor<['C', 'X']> }, ['B', 'X'], ['B', 'C']>;
declare const seerParams: SeerParams<{ readonly w: Tensor<['C', 'X']> }>;

const ts = teacherStudent(net, 0.996);
const state = ts.init([0, 0], { X: 4, K: 3 });
const teacherOut = ts.teacher(state, images);
const teacherViews = [teacherOut, teacherOut];
const teacherProbs = detach(temperedSoftmax(teacherOut, 0.04, 'K'));
const objective = dino({ ncrops: 2, warmupTeacherTemp: 0.04, teacherTemp: 0.07, warmupTeacherTempEpochs: 0, nepochs: 1 });
const dinoState = objective.init('K', 3);
const x = ts.student(params, images);

// ---- accepted -------------------------------------------------------------

// The teacher's output is detached by its type; a plain (student) tensor carries the gradient.
const teacherIsDetached: Detached<View> = teacherOut;
void teacherIsDetached;
const plainIsDifferentiable: Differentiable<View> = student;
const probsAreDifferentiable: Differentiable<Probs<['B', 'K'], 'K'>> = temperedSoftmax(student, 0.1, 'K');
void plainIsDifferentiable;
void probsAreDifferentiable;

// Teacher probabilities (detached) against student logits.
const h = softCrossEntropy(teacherProbs, student, 'K');
export type A2 = Expect<Equal<typeof h, Tensor<[]>>>;
// Constant soft labels are a target too: detach states it (a no-op on a constant).
softCrossEntropy(detach(asProbs(student, 'K')), student, 'K');
// Sinkhorn's codes are detached already; swapped prediction takes them with the student's scores.
const codes = sinkhorn(teacherOut, 'K', { iterations: 3, epsilon: 0.05 });
swappedPrediction([{ view: 0, codes }], [student, student], 'K', 0.1);
// PAWS: sharpened (detached) targets against the student's predictions.
crossEntropyOfProbs(detach(sharpen(temperedSoftmax(teacherOut, 1, 'K'), 0.25, 'K')), temperedSoftmax(student, 0.1, 'K'), 'K');
// DeepCluster: detached pseudo-labels against the classifier's logits.
pseudoLabelLoss(student, detach(labels), 'K');
pseudoLabelLoss(student, detach(oneHot(labels, 'K', 3)), 'K');
// DINO: student views (ncrops of them) and the teacher's views.
const r = objective.loss([x, x], teacherViews, dinoState, 0);
// The center threads through the state: initCenter, applyCenter, updateCenter, and back.
const c0 = initCenter(['K'], [3]);
const centred = applyCenter(teacherOut, c0);
const c1 = updateCenter(c0, teacherOut, 'B', 0.9);
export type A3 = Expect<Equal<typeof c1, Center<['K']>>>;
applyCenter(centred, r.state.center);
const cent = centering(0.9, 'B');
cent.apply(teacherOut, cent.update(cent.init(teacherOut), teacherOut));
// A center restored from a checkpoint (or a traced program's input) is marked so.
applyCenter(student, asCenter(anyTensor));
// Schedules keep their unit: an epoch schedule becomes an iteration one by perIteration.
const temperature: Schedule<'epoch'> = objective.teacherTemperature;
const perStep: Schedule<'iteration'> = perIteration(temperature, 10);
teacherStudent(net, emaMomentumSchedule({ base: 0.996, epochs: 1, iterationsPerEpoch: 10 }));
teacherStudent(net, perStep);

// Whose is what (issue 15, part 2): teacherStudent's outputs and parameters say they are the teacher's.
export type A4 = Expect<Equal<typeof teacherOut, Teacher<Tensor<['B', 'K']>>>>;
export type A5 = Expect<Equal<typeof state.teacher, TeacherParams<{ readonly w: Tensor<['K', 'X']> }>>>;
// A trainer that runs the teacher network itself marks its outputs (the one new call).
objective.loss([x, x], [asTeacher(rawLogits), asTeacher(rawLogits)], dinoState, 0);
// The EMA goes from the student to the teacher; the student network runs on the student's parameters.
const movedTeacher = emaUpdate(state.teacher, params, 0.99);
ts.update(state, params);
ts.student(state.student, images);
ts.teacher({ ...state, teacher: movedTeacher }, images);
// SwAV, PAWS and SEER on the network being trained (plain values are the student's).
const swavObjective = swav({ nmbCrops: [2] });
swavObjective.loss({ embedding, prototypes }, swavObjective.init('D', 4), 0);
const pawsObjective = paws({ numClasses: 2, supportImagesPerClass: 1, multicrop: 0 });
pawsObjective.loss(hReps, zReps, pawsObjective.labels());
const seerModel = seer(trunk, { trunkWidth: 4, head: { hidden: 4, out: 4, hiddenLayers: 1 }, prototypes: 3, swav: { nmbCrops: [2] } });
seerModel.loss(seerParams, images, seerModel.initState(), 0);

// ---- rejected: the programs of issue 15 -----------------------------------

// @ts-expect-error student and teacher swapped: the target must be Detached, and the teacher's detached output cannot be the logits
softCrossEntropy(temperedSoftmax(student, 0.1, 'K'), teacherOut, 'K');
// @ts-expect-error detached logits: the gradient would silently be zero
softCrossEntropy(teacherProbs, detach(student), 'K');
// @ts-expect-error the student's views as the teacher's: the teacher's views must be Detached
objective.loss(studentViews, studentViews, dinoState, 0);
// @ts-expect-error sharpen takes distributions (Probs), not raw logits: use temperedSoftmax
sharpen(rawLogits, 0.25, 'K');
// @ts-expect-error any tensor is not a center: only initCenter/updateCenter (or asCenter) make one
applyCenter(student, anyTensor);

// ---- rejected: the other role mistakes ------------------------------------

// @ts-expect-error a detached tensor is not a center either (a Center is the running mean)
applyCenter(student, detach(anyTensor));
// @ts-expect-error the old center must be a Center too
updateCenter(anyTensor, teacherOut, 'B', 0.9);
// @ts-expect-error the teacher's views as the student's: the student's views carry the gradient
objective.loss(teacherViews, teacherViews, dinoState, 0);
// @ts-expect-error the teacher's (detached) probabilities as the target are needed: live student probabilities are not a target
softCrossEntropy(temperedSoftmax(teacherOut, 0.04, 'K'), student, 'K');
// @ts-expect-error PAWS' targets and predictions swapped: the predictions are not detached, the targets are
crossEntropyOfProbs(temperedSoftmax(student, 0.1, 'K'), teacherProbs, 'K');
// @ts-expect-error pseudo-labels are a target: detach them
pseudoLabelLoss(student, labels, 'K');
// @ts-expect-error detached logits in DeepCluster's loss: no gradient would reach the classifier
pseudoLabelLoss(detach(student), detach(labels), 'K');
// @ts-expect-error swapped prediction's scores carry the gradient: the teacher's detached outputs are not scores
swappedPrediction([{ view: 0, codes }], [teacherOut, teacherOut], 'K', 0.1);
// @ts-expect-error sharpening along another axis than the distribution's
sharpen(temperedSoftmax(student, 0.1, 'K'), 0.25, 'B');
// @ts-expect-error a teacher-temperature schedule counts epochs: the EMA momentum is read per iteration
teacherStudent(net, teacherTemperatureSchedule({ warmupTeacherTemp: 0.04, teacherTemp: 0.07, warmupTeacherTempEpochs: 0, epochs: 1 }));

// ---- rejected: student and teacher mixed up (part 2) ----------------------

// @ts-expect-error detached student views are not the teacher's: DINO's targets come from the teacher network
objective.loss([x, x], [detach(x), detach(x)], dinoState, 0);
// @ts-expect-error the EMA goes from the student to the teacher, not back
emaUpdate(state.student, state.teacher, 0.99);
// @ts-expect-error the teacher's parameters are not a new student: the optimiser's output is
ts.update(state, state.teacher);
// @ts-expect-error the student network on the teacher's parameters: its output would carry no gradient to the student
ts.student(state.teacher, images);
// @ts-expect-error a plain parameter tree is not the teacher's: asTeacherParams (or teacherStudent's init) makes one
emaUpdate(params, params, 0.99);
// @ts-expect-error SwAV's embedding from the teacher: the scores would carry no gradient
swavObjective.loss({ embedding: asTeacher(embedding), prototypes }, swavObjective.init('D', 4), 0);
// @ts-expect-error PAWS' anchors from the teacher: the anchors carry the gradient, the targets (h) do not
pawsObjective.loss(hReps, asTeacher(zReps), pawsObjective.labels());
// @ts-expect-error SEER's loss on the teacher's parameters: the teacher is moved by the EMA, not trained
seerModel.loss(asTeacherParams(seerParams), images, seerModel.initState(), 0);
