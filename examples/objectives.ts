/**
 * Two new self-supervised objectives built from shapegrad's parts (see
 * docs/guide.md): each is a function from views and state to a loss and new
 * state, under 20 lines, and the types check what is what: the teacher's
 * targets must be distributions over the prototype axis K, the teacher's
 * outputs (DINO's targets) and the codes from Sinkhorn are detached by their type.
 */
import { add, addAll, concat, div, mul, ssl, type Axis, type Shape, type Tensor } from 'shapegrad';

const { applyCenter, updateCenter, asProbs, softCrossEntropy, dino, meMaxPenalty, crossViewPairs, scaleDown, temperedSoftmax, sinkhorn } = ssl;
type Center<S extends Shape> = ssl.Center<S>;
type DinoConfig = ssl.DinoConfig;
type DinoState<K extends Axis> = ssl.DinoState<K>;
type Teacher<T extends Tensor<Shape>> = ssl.Teacher<T>;

/** Outputs of one view: B images × K prototypes. */
export type View = Tensor<['B', 'K']>;

/** 1. DINO with me-max: DINO's loss plus PAWS' mean-entropy penalty on the student's average prediction. */
export function dinoWithMeMax(config: DinoConfig & { readonly meMaxWeight: number }) {
  const base = dino(config);
  return {
    init: base.init,
    loss(student: readonly View[], teacher: readonly Teacher<View>[], state: DinoState<'K'>, epoch: number) {
      const r = base.loss(student, teacher, state, epoch);
      // The average over every student view of softmax(s / τ_s): a distribution over K.
      const probs = asProbs(concat(student.map((s) => temperedSoftmax(s, base.config.studentTemp, 'K')), 'B'), 'K');
      return { ...r, loss: add(r.loss, mul(meMaxPenalty(probs, 'K'), config.meMaxWeight)) };
    },
  };
}

/** 2. SwAV's codes with DINO's centering: Sinkhorn on the centred teacher scores, predicted from every other view. */
export function centredSwav(config: { readonly epsilon: number; readonly iterations: number; readonly temperature: number; readonly centerMomentum: number }) {
  return {
    loss(student: readonly View[], teacher: readonly View[], state: { readonly center: Center<['K']> }) {
      const codes = teacher.map((t) => sinkhorn(applyCenter(t, state.center), 'K', config));
      const pairs = crossViewPairs({ views: student.length, targetViews: teacher.map((_, i) => i) });
      const terms = pairs.map((p) => softCrossEntropy(codes[p.target]!, scaleDown(student[p.view]!, config.temperature), 'K'));
      const center = updateCenter(state.center, concat(teacher, 'B'), 'B', config.centerMomentum);
      return { loss: div(addAll(terms), terms.length), state: { center } };
    },
  };
}
