/**
 * PAWS' full loss with me-max (losses.py) and the training script's glue
 * (supports first, global views swapped for the targets); gradients with
 * respect to z of the loss, of ploss alone and of the me-max term alone.
 */
import type { Tensor } from '../../../ir/tensor.js';
import { asProbs } from '../../../ssl/cross-entropy-soft.js';
import { labelsMatrix } from '../../../ssl/label-smoothing.js';
import { paws } from '../../../ssl/paws.js';
import { configNumber, configValue, type Component } from '../component.js';
import { evaluateCase, goldenTensor } from '../layer-case.js';

export const pawsLoss: Component = {
  name: 'paws_loss',
  describe: 'PAWS loss: snn predictions, sharpened targets with multi-crop, label smoothing, me-max',
  evaluate(file) {
    const objective = paws({
      numClasses: configNumber(file, 'num_classes'),
      supportImagesPerClass: configNumber(file, 'supervised_imgs_per_class'),
      supportViews: configNumber(file, 'supervised_views'),
      multicrop: configNumber(file, 'multicrop'),
      tau: configNumber(file, 'tau'),
      T: configNumber(file, 'T'),
      meMax: configValue(file, 'me_max', (v): v is boolean => typeof v === 'boolean', 'a boolean'),
      labelSmoothing: configNumber(file, 'label_smoothing'),
    });
    const h = goldenTensor(file, 'inputs', 'h', ['N', 'D']);
    const z = goldenTensor(file, 'inputs', 'z', ['N', 'D']);
    const labels = asProbs(goldenTensor(file, 'inputs', 'labels', ['S', 'C']), 'C');
    const matrix = labelsMatrix({ numClasses: objective.config.numClasses, imagesPerClass: objective.config.supportImagesPerClass, smoothing: objective.config.labelSmoothing });
    const run = (pick: 'loss' | 'ploss' | 'meMax') =>
      evaluateCase({ z }, (v) => {
        const r = objective.loss(h, v['z'] as typeof z, labels);
        const outputs: Record<string, Tensor> = {
          ploss: r.ploss,
          me_max: r.meMax,
          labels_matrix: matrix,
          'debug/anchor_probs': r.probs,
          'debug/targets': r.targets,
          'debug/avg_sharpened_probs': r.averageSharpened,
        };
        return { loss: r[pick], outputs };
      });
    const all = run('loss');
    const fromPloss = run('ploss');
    const fromMeMax = run('meMax');
    return {
      outputs: all.outputs,
      grads: { z: all.grads['z']!, z_from_ploss_only: fromPloss.grads['z']!, z_from_me_max_only: fromMeMax.grads['z']! },
    };
  },
};
