/** DINO in the methods table: student and teacher, the teacher's backbone evaluated, the last layer frozen for the first epoch. */
import { dinoTrainer } from '../dino.js';
import { commonConfig, type MethodEntry } from '../method-entry.js';

/** DINO's entry in the methods table. */
export const dinoMethod: MethodEntry = {
  label: 'DINO',
  defaults: { batchSize: 32, lr: 5e-4, outDim: { value: 256, meaning: "DINO's head output" } },
  flags: ['out-dim', 'teacher-temp', 'momentum-teacher'],
  evaluatedBackbone: 'teacher.backbone',
  initialBackbones: ['student.backbone', 'teacher.backbone'],
  config: (o) => ({ ...commonConfig(o), outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher }),
  trainer: (o, train, plannedSteps) =>
    dinoTrainer({
      model: o.model, ...(o.image === undefined ? {} : { image: o.image }), batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend,
      outDim: o.outDim, teacherTemp: o.teacherTemp, momentumTeacher: o.momentumTeacher, plannedSteps,
      freezeLastLayerSteps: Math.ceil(train.n / o.batchSize),
    }),
};
