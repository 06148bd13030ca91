/**
 * One iteration of main_dino.py's train_one_epoch as a pure function of
 * tensors: the trainer traces it once per run, and the dino_train_step
 * conformance component calls the same function on the golden file's
 * networks, crops and schedule values, so the whole recipe is checked:
 *
 *   teacher on the global views, student on every view (views of one size together)
 *   loss, center' = DINOLoss(student, teacher, center)
 *   g = ∂loss/∂student;  each g clipped on its own norm (clip_gradients)
 *   last layer: no gradient while frozen (cancel_gradients_last_layer): the optimiser leaves it alone
 *   AdamW, SGD or LARS (--optimizer), weight decay on group 0 only (not biases, not 1-D), lr and wd of this step
 *   teacher' = m·teacher + (1 - m)·student'   (every parameter, the frozen ones included)
 */
import type { Tensor } from '../ir/tensor.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { concat } from '../ops/slicing.js';
import type { ApplyContext } from '../nn/layer.js';
import { withUpdates } from '../nn/params.js';
import type { DinoHeadLayer, DinoHeadParams } from '../nn/dino-head.js';
import type { Dino } from '../ssl/dino.js';
import { asCenter } from '../ssl/center.js';
import { asTeacher, asTeacherParams } from '../ssl/teacher.js';
import { emaUpdate } from '../ssl/ema.js';
import { splitViews } from '../ssl/multi-crop.js';
import { adamw } from '../optim/adamw.js';
import { sgd } from '../optim/sgd.js';
import { momentumLars } from '../optim/lars.js';
import { regularized, type ScheduledOptimizer } from '../optim/optimizer.js';
import type { OptimizerName, TrainOptimizerState } from './optimizer-choice.js';
import { clipGradients } from '../optim/clip-gradients.js';
import { sameSizeGroups, trainingContext } from './step-parts.js';

/** The student and teacher networks: a backbone and a DINO head. */
export interface DinoNetwork {
  readonly backbone: unknown;
  readonly head: DinoHeadParams;
}

/** A view: a batch of images whose first axis is B (grayscale [B, H, W] in the trainer, [B, C, H, W] in the golden file). */
export type DinoView = Tensor<['B', ...string[]]>;

/** What a DINO step is made of, fixed for a run. */
export interface DinoStepParts<V extends DinoView> {
  /** The backbone's features [B, C] of a batch of views (training mode: BatchNorm emits its statistics through ctx). */
  readonly features: (backbone: unknown, x: V, ctx: ApplyContext) => Tensor<['B', 'C']>;
  readonly head: DinoHeadLayer;
  readonly objective: Dino;
  readonly optimizer: ScheduledOptimizer<TrainOptimizerState>;
  /** DINO's clip_grad: each parameter's gradient clipped to this norm on its own; 0 turns clipping off (as the official flag). */
  readonly clipGrad: number;
  /** The epoch the teacher temperature is read at. */
  readonly epoch: number;
}

/** A step's arguments: the state, the views (global views first) and this step's schedule values. */
export interface DinoStepInputs<V extends DinoView> {
  readonly student: DinoNetwork;
  readonly teacher: DinoNetwork;
  readonly center: Tensor<['K']>;
  readonly opt: TrainOptimizerState;
  readonly views: readonly V[];
  readonly lr: Tensor<[]>;
  readonly weightDecay: Tensor<[]>;
  readonly momentum: Tensor<[]>;
  /** 0 while the last layer is frozen (freeze_last_layer), 1 after. */
  readonly lastLayerLearns: Tensor<[]>;
  /** Steps the last layer sat out so far (AdamW only: its step count is the optimiser's minus these, as PyTorch's per-parameter count). */
  readonly lastLayerSkipped: Tensor<[]>;
}

/** What a step returns: the trainer's traced program outputs these. */
export interface DinoStepOutput {
  readonly loss: Tensor<[]>;
  readonly student: DinoNetwork;
  readonly teacher: DinoNetwork;
  readonly center: Tensor<['K']>;
  readonly opt: TrainOptimizerState;
}

/** A step's results, and the intermediates a check may compare. */
export interface DinoStepResult extends DinoStepOutput {
  /** ∂loss/∂student before clipping. */
  readonly grads: DinoNetwork;
  /** The norms clipping saw, by dotted path (parameters with a gradient only). */
  readonly gradNorms: Readonly<Record<string, Tensor<[]>>>;
  /** The gradients after clipping, as the optimiser gets them (the last layer's are ignored while frozen). */
  readonly clipped: DinoNetwork;
  /** Student outputs per view, and the teacher's per global view. */
  readonly studentOutput: readonly Tensor<['B', 'K']>[];
  readonly teacherOutput: readonly Tensor<['B', 'K']>[];
}

const lastLayer = 'head.last_layer.';

/**
 * DINO's optimiser (main_dino.py's --optimizer) over get_params_groups' two groups: weight decay
 * (this step's) on group 0, none on biases and 1-D parameters. 'adamw': torch.optim.AdamW's
 * defaults (betas 0.9, 0.999, eps 1e-8); 'sgd': torch.optim.SGD with momentum 0.9; 'lars':
 * utils.LARS (momentum 0.9, η 0.001, 1-D parameters neither adapted nor decayed).
 */
export function dinoOptimizer(name: OptimizerName = 'adamw'): ScheduledOptimizer<TrainOptimizerState> {
  switch (name) {
    case 'adamw':
      return adamw({ decay: regularized }) as ScheduledOptimizer<TrainOptimizerState>;
    case 'sgd':
      return sgd({ momentum: 0.9, decay: regularized }) as ScheduledOptimizer<TrainOptimizerState>;
    case 'lars':
      return momentumLars({ momentum: 0.9, eta: 0.001, decay: regularized }) as ScheduledOptimizer<TrainOptimizerState>;
  }
}

/** Parameters with no gradient at all (requires_grad = False): the last layer's gain under norm_last_layer. */
export const frozenPaths = (head: DinoHeadLayer): readonly string[] => (head.options.normLastLayer ? [`${lastLayer}weight_g`] : []);

/** Whether the optimiser updates a parameter this step: never the frozen ones, the last layer only when it learns. */
export function learnsAt(head: DinoHeadLayer, lastLayerLearns: Tensor<[]>): (path: string) => boolean | Tensor<[]> {
  const frozen = frozenPaths(head);
  return (path) => (frozen.includes(path) ? false : path.startsWith(lastLayer) ? lastLayerLearns : true);
}

/** DINO's training step from its parts: a pure function of the state, the views and the schedule values. */
export function dinoStep<V extends DinoView>(parts: DinoStepParts<V>): (inputs: DinoStepInputs<V>) => DinoStepResult {
  const { head, objective, optimizer } = parts;
  const teacherViews = objective.config.teacherViews;
  // As MultiCropWrapper: views of one size go through the backbone together; BatchNorm's new running statistics land in `emitted`.
  const forward = (p: DinoNetwork, views: readonly V[], emitted: Record<string, Tensor>): Tensor<['B', 'K']>[] => {
    const ctx = trainingContext(emitted);
    return sameSizeGroups(views).flatMap((group) => {
      const x = group.length === 1 ? group[0]! : (concat(group, 'B') as V);
      const y = head.apply(p.head, parts.features(withUpdates(p.backbone, emitted), x, ctx)) as Tensor<['B', 'K']>;
      return group.length === 1 ? [y] : splitViews(y, 'B', group.length);
    });
  };
  const frozen = frozenPaths(head);
  return (inputs) => {
    const teacherStats: Record<string, Tensor> = {};
    const teacherOutput = forward(inputs.teacher, inputs.views.slice(0, teacherViews), teacherStats).map((t) => asTeacher(t));
    const studentStats: Record<string, Tensor> = {};
    let center: Tensor<['K']> = inputs.center;
    let studentOutput: Tensor<['B', 'K']>[] = [];
    const [loss, grads] = valueAndGrad((s: DinoNetwork) => {
      studentOutput = forward(s, inputs.views, studentStats);
      const result = objective.loss(studentOutput, teacherOutput, { center: asCenter(inputs.center) }, parts.epoch);
      center = result.state.center;
      return result.loss;
    })(inputs.student);
    const has = (path: string) => !frozen.includes(path);
    const { grads: clipped, norms } = parts.clipGrad > 0 ? clipGradients(grads, parts.clipGrad, has) : { grads, norms: {} };
    const next = optimizer.step(inputs.student, clipped, inputs.opt, inputs.lr, {
      weightDecay: inputs.weightDecay,
      learns: learnsAt(head, inputs.lastLayerLearns),
      skippedSteps: (path) => (path.startsWith(lastLayer) ? inputs.lastLayerSkipped : undefined),
    });
    const student = withBackbone(next.params, studentStats);
    // The teacher's BatchNorm statistics are those of its own forward pass (emaUpdate leaves buffers alone).
    const teacher = withBackbone(emaUpdate(asTeacherParams(inputs.teacher), student, inputs.momentum), teacherStats);
    return { loss, student, teacher, center, opt: next.state, grads, gradNorms: norms, clipped, studentOutput, teacherOutput };
  };
}

const withBackbone = <T extends { readonly backbone: unknown }>(p: T, stats: Readonly<Record<string, Tensor>>): T => ({ ...p, backbone: withUpdates(p.backbone, stats) });
