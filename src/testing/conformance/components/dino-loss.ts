/** DINOLoss (main_dino.py): two calls on one loss object, the center carried over as explicit state. */
import { goldenData } from '../../../io/golden.js';
import { scalar } from '../../../ops/sources.js';
import { dino, type DinoState } from '../../../ssl/dino.js';
import { configNumber, tensorOf, type Component } from '../component.js';
import { evaluateCase, goldenTensor } from '../layer-case.js';
import { asTeacher } from '../../../ssl/teacher.js';

/** Sub-case prefixes such as call0, call1, in numeric order. */
export function callsOf(keys: readonly string[], suffix: string): string[] {
  const names = keys.filter((k) => k.endsWith(`/${suffix}`)).map((k) => k.slice(0, -suffix.length - 1));
  return [...new Set(names)].sort((a, b) => Number(a.replace(/\D+/g, '')) - Number(b.replace(/\D+/g, '')) || a.localeCompare(b));
}

export const dinoLoss: Component = {
  name: 'dino_loss',
  describe: 'DINO loss: teacher centring and temperature schedule, multi-crop pairing, center update across two calls',
  evaluate(file) {
    const objective = dino({
      ncrops: configNumber(file, 'ncrops'),
      warmupTeacherTemp: configNumber(file, 'warmup_teacher_temp'),
      teacherTemp: configNumber(file, 'teacher_temp'),
      warmupTeacherTempEpochs: configNumber(file, 'warmup_teacher_temp_epochs'),
      nepochs: configNumber(file, 'nepochs'),
      studentTemp: configNumber(file, 'student_temp'),
      centerMomentum: configNumber(file, 'center_momentum'),
    });
    const outputs: Record<string, ArrayLike<number>> = { teacher_temp_schedule: objective.teacherTemperature.values() };
    const grads: Record<string, ArrayLike<number>> = {};
    let state: DinoState<'K'> | undefined;
    for (const call of callsOf(Object.keys(file.inputs), 'student_output')) {
      const student = goldenTensor(file, 'inputs', `${call}/student_output`, ['N', 'K']);
      const teacher = asTeacher(goldenTensor(file, 'inputs', `${call}/teacher_output`, ['N', 'K']));
      const epoch = goldenData(tensorOf(file, 'inputs', `${call}/epoch`))[0]!;
      const before: DinoState<'K'> = state ?? objective.init('K', student.size('K'));
      let after: DinoState<'K'> = before;
      const result = evaluateCase(
        { student_output: student },
        (v) => {
          const r = objective.lossStacked(v['student_output'] as typeof student, teacher, before, epoch);
          after = r.state;
          return { loss: r.loss, outputs: { center_before: before.center, temp: scalar(r.temperature), center_after: r.state.center } };
        },
        `${call}/`,
      );
      Object.assign(outputs, result.outputs);
      Object.assign(grads, result.grads);
      state = after;
    }
    return { outputs, grads };
  },
};
