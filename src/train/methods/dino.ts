/** DINO in the methods table: student and teacher, the teacher's backbone evaluated, the last layer frozen for --freeze-last-layer epochs (0 by default: main_dino.py's 1 epoch is a third of a 5-minute run here, measured worse; docs/decisions.md). */
import { dinoTrainer } from '../dino.js';
import { commonConfig, flipConfig, type MethodEntry } from '../method-entry.js';

/**
 * DINO's default --lr per --optimizer, unscaled (main_dino.py scales --lr by batch/256; the
 * trainer takes it as it is): AdamW's is the trainer's own, SGD's the README's ResNet-50 command
 * (0.03), LARS' the released ResNet-50 run's (0.3).
 */
const dinoLr = { adamw: 5e-4, sgd: 0.03, lars: 0.3 } as const;

/** DINO's entry in the methods table. */
export const dinoMethod: MethodEntry = {
  label: 'DINO',
  defaults: { batchSize: 32, lr: dinoLr.adamw, outDim: { value: 256, meaning: "DINO's head output" }, optimizer: { name: 'adamw', lr: dinoLr } },
  flags: ['out-dim', 'teacher-temp', 'momentum-teacher', 'freeze-last-layer', 'optimizer', 'flip'],
  evaluatedBackbone: 'teacher.backbone',
  initialBackbones: ['student.backbone', 'teacher.backbone'],
  config: (o) => ({ ...commonConfig(o), optimizer: o.optimizer ?? 'adamw', outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher, freezeLastLayer: o.freezeLastLayerEpochs ?? 0, ...flipConfig(o) }),
  trainer: (o, train, plannedSteps) =>
    dinoTrainer({
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, ...flipConfig(o), backend: o.backend, optimizer: o.optimizer ?? 'adamw',
      outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher, plannedSteps,
      freezeLastLayerSteps: Math.ceil(((o.freezeLastLayerEpochs ?? 0) * train.n) / o.batchSize),
    }),
};
